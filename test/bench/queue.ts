/**
 * Queue mode, modelled in one process: two workers, each with its own copy of the package (its own
 * module instance, so its own cache), sharing only the stored credential, which every execution
 * loads afresh (n8n's database). FortiLAN Cloud, one API user (FortiCloud IAM: one active token,
 * refresh tokens rotate); the API answers after 300 ms, as a real one takes a while. Per token
 * death (expiry, an outside login): 20 executions in each worker at once, all loaded before the
 * death, through n8n-core's real requestWithAuthentication. The real cluster (PostgreSQL, Redis,
 * n8n main and two workers) runs in test/e2e/queue.e2e.test.ts.
 */
import axios from 'axios';
import type { ICredentialType } from 'n8n-workflow';

import { userCounters } from '../emulator';
import type { Emulator } from '../emulator';
import { iamLogin } from '../emulator/helpers';
import { credentialTypeOn, Execution } from '../support/n8n';
import type { ServiceCase } from '../support/services';
import type { Impl } from './load';
import { newCredential } from './load';

export interface QueueRunResult {
	impl: Impl;
	death: 'expiry' | 'outside login';
	workers: number;
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

export async function queueRun(emulator: Emulator, service: ServiceCase, impl: Impl, death: QueueRunResult['death'], perWorker = 20): Promise<QueueRunResult> {
	emulator.control.reset();
	emulator.control.setRateLimit('fortilancloud', null);
	const { user, stored } = newCredential(service, emulator, impl);
	const workers = [0, 1].map(() => stored.seenBy(impl === 'ours' ? workerCopy(service) : stored.type));
	const resource = service.resource(emulator);
	for (const w of workers) await new Execution(w).request(resource);
	const executions = workers.flatMap((w) => Array.from({ length: perWorker }, () => new Execution(w)));
	if (death === 'expiry') emulator.control.expireAll('iam');
	else await iamLogin(axios.create({ validateStatus: () => true }), emulator, 'fortilancloud', user);
	emulator.control.injectFault({ service: 'iam', endpoint: 'resource', count: 10 * executions.length, fault: { type: 'delay', ms: 300 } });
	const counters = () => userCounters(emulator.control.stats(), service.emulated, service.userKey(user));
	const before = counters();
	const settled = await Promise.allSettled(executions.map(async (execution) => await execution.request(resource)));
	const after = counters();
	emulator.control.clearFaults();
	return {
		impl,
		death,
		workers: workers.length,
		executions: executions.length,
		// The outside login happened before `before`: these are n8n's own.
		renewals: after.logins + after.refreshes - (before.logins + before.refreshes),
		failed: settled.filter((r) => r.status === 'rejected').length,
	};
}
