/**
 * Queue mode, modelled in one process: workers, each with its own copy of the package (its own
 * module instance, so its own cache), sharing only the stored credential, which every execution
 * loads afresh (n8n's database). FortiLAN Cloud, one API user (FortiCloud IAM: one active token,
 * refresh tokens rotate); the API takes a while to answer. Per token death (expiry, an outside
 * login; with a slow API, in the middle of the wave): executions in each worker at once, all
 * loaded before the death, through n8n-core's real requestWithAuthentication. The real cluster
 * (PostgreSQL, Redis, n8n main and two workers) runs in test/e2e/queue.e2e.test.ts.
 */
import type { ICredentialType } from 'n8n-workflow';

import { userCounters } from '../emulator';
import type { Emulator } from '../emulator';
import { client, iamLogin } from '../emulator/helpers';
import { credentialTypeOn, Execution } from '../support/n8n';
import type { ServiceCase, TestUser } from '../support/services';
import { sleep } from '../support/time';
import type { Impl } from './load';
import { newCredential } from './load';

/** One token death in a cluster: how it dies, how many workers, how slow the API is. */
export interface QueueScenario {
	death: 'expiry' | 'outside login';
	workers: number;
	/** Executions per worker, all loaded before the death. */
	perWorker: number;
	/** How long the API takes to answer (ms). A slow API's outside login comes in the middle of the wave. */
	apiMs: number;
}

export interface QueueRunResult extends QueueScenario {
	impl: Impl;
	executions: number;
	renewals: number;
	failed: number;
}

const ENGINE_ROOT = require.resolve('../../credentials/engine').replace(/engine[/\\]index\.(ts|js)$/, '');

/** The package as a freshly started worker loads it: a new module instance of the engine. */
function workerCopy(service: ServiceCase): ICredentialType {
	for (const id of Object.keys(require.cache)) if (id.startsWith(ENGINE_ROOT)) delete require.cache[id];
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return credentialTypeOn(require('../../credentials/engine') as typeof import('../../credentials/engine'), service);
}

/** A login from outside n8n kills the token `afterMs` from now. */
async function outsideLogin(emulator: Emulator, user: TestUser, afterMs = 0): Promise<void> {
	await sleep(afterMs);
	await iamLogin(client(), emulator, 'fortilancloud', user);
}

export async function queueRun(emulator: Emulator, service: ServiceCase, impl: Impl, scenario: QueueScenario): Promise<QueueRunResult> {
	const { death, workers: count, perWorker, apiMs } = scenario;
	emulator.control.reset();
	emulator.control.setRateLimit('fortilancloud', null);
	const { user, stored } = newCredential(service, emulator, impl);
	const workers = Array.from({ length: count }, () => stored.seenBy(impl === 'ours' ? workerCopy(service) : stored.type));
	const resource = service.resource(emulator);
	for (const w of workers) await new Execution(w).request(resource);
	const executions = workers.flatMap((w) => Array.from({ length: perWorker }, () => new Execution(w)));
	const midWave = death === 'outside login' && apiMs > 1000;
	if (death === 'expiry') emulator.control.expireAll('iam');
	else if (!midWave) await outsideLogin(emulator, user);
	emulator.control.injectFault({ service: 'iam', endpoint: 'resource', count: 10 * executions.length, fault: { type: 'delay', ms: apiMs } });
	const counters = () => userCounters(emulator.control.stats(), service.emulated, service.userKey(user));
	const before = counters();
	const runs = Promise.allSettled(executions.map(async (execution) => await execution.request(resource)));
	if (midWave) await outsideLogin(emulator, user, apiMs / 2);
	const settled = await runs;
	const after = counters();
	emulator.control.clearFaults();
	// An outside login during the wave is counted by the emulator too: these are n8n's own.
	const outside = midWave ? 1 : 0;
	return {
		...scenario,
		impl,
		executions: executions.length,
		renewals: after.logins + after.refreshes - (before.logins + before.refreshes) - outside,
		failed: settled.filter((r) => r.status === 'rejected').length,
	};
}
