/**
 * Load and soak runs: ours vs the baseline, both through n8n-core's real requestWithAuthentication
 * (`Execution`) and n8n's credential store semantics (`StoredCredential`), against the emulator.
 * Every "authenticated request" is one execution: it loads the stored credential at its start.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { clearTokenCache } from '../../credentials/engine/testing';
import { userCounters } from '../emulator';
import type { Counters, Emulator } from '../emulator';
import { Execution, StoredCredential } from '../support/n8n';
import type { ServiceCase, TestUser } from '../support/services';
import { baselineData, baselineFor } from './baseline';
import { sleep } from '../support/time';

export type Impl = 'ours' | 'baseline';

export interface RunResult {
	service: string;
	impl: Impl;
	concurrency: number;
	requests: number;
	logins: number;
	refreshes: number;
	/** Calls the protected API rejected with 401 (a dead or expired token was sent). */
	apiRejected: number;
	rateLimited: number;
	failedLogins: number;
	/** Executions whose request finally threw (after n8n's own retry). */
	failed: number;
	/** preAuthentication calls n8n made. */
	hookCalls: number;
	wallMs: number;
}

/** The same account data for both; FortiAuthenticator with "Ignore SSL Issues" on both sides (the baseline cannot take a CA). */
function dataFor(service: ServiceCase, emulator: Emulator, user: TestUser, impl: Impl): ICredentialDataDecryptedObject {
	let data = service.data(emulator, user);
	if (service.emulated === 'fac') data = { ...data, ignoreSSLIssues: true, caCertificate: '' };
	return impl === 'ours' ? data : baselineData(service, data);
}

export function newCredential(service: ServiceCase, emulator: Emulator, impl: Impl): { user: TestUser; stored: StoredCredential } {
	const user = service.newUser(emulator);
	const type = impl === 'ours' ? service.credential() : baselineFor(service);
	return { user, stored: new StoredCredential(type, dataFor(service, emulator, user, impl)) };
}

function countersOf(emulator: Emulator, service: ServiceCase, user: TestUser): Counters {
	return userCounters(emulator.control.stats(), service.emulated, service.userKey(user));
}

/**
 * `total` executions spread over `concurrency` workers. The emulator is reset first (counters,
 * sessions and rate-limit windows; users stay), and the engine's cache is emptied.
 */
export async function loadRun(
	emulator: Emulator,
	service: ServiceCase,
	impl: Impl,
	concurrency: number,
	total: number,
): Promise<RunResult> {
	emulator.control.reset();
	clearTokenCache();
	const { user, stored } = newCredential(service, emulator, impl);
	const resource = service.resource(emulator);
	let next = 0;
	let failed = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < total) {
				next++;
				try {
					await new Execution(stored).request(resource);
				} catch {
					failed++;
				}
			}
		}),
	);
	const wallMs = performance.now() - started;
	const seen = countersOf(emulator, service, user);
	return {
		service: service.label,
		impl,
		concurrency,
		requests: total,
		logins: seen.logins,
		refreshes: seen.refreshes,
		apiRejected: seen.apiRejected,
		rateLimited: seen.rateLimited,
		failedLogins: seen.failedLogins,
		failed,
		hookCalls: stored.counters.preAuthentication,
		wallMs,
	};
}

export interface SoakResult extends RunResult {
	lifetimeS: number;
	durationS: number;
	/** Lifetimes covered: duration / token lifetime. */
	lifetimes: number;
}

/**
 * Steady load for `durationMs` with `concurrency` workers, each pausing `thinkMs` between
 * executions. The emulator must already issue short tokens for this service (setLifetime).
 */
export async function soakRun(
	emulator: Emulator,
	service: ServiceCase,
	impl: Impl,
	options: { concurrency: number; durationMs: number; thinkMs: number; lifetimeS: number },
): Promise<SoakResult> {
	const { user, stored } = newCredential(service, emulator, impl);
	const resource = service.resource(emulator);
	let requests = 0;
	let failed = 0;
	const started = performance.now();
	const deadline = started + options.durationMs;
	await Promise.all(
		Array.from({ length: options.concurrency }, async (_, worker) => {
			// Stagger the workers so the load is steady rather than in waves.
			await sleep((worker * options.thinkMs) / options.concurrency);
			while (performance.now() < deadline) {
				requests++;
				try {
					await new Execution(stored).request(resource);
				} catch {
					failed++;
				}
				await sleep(options.thinkMs);
			}
		}),
	);
	const wallMs = performance.now() - started;
	const seen = countersOf(emulator, service, user);
	return {
		service: service.label,
		impl,
		concurrency: options.concurrency,
		requests,
		logins: seen.logins,
		refreshes: seen.refreshes,
		apiRejected: seen.apiRejected,
		rateLimited: seen.rateLimited,
		failedLogins: seen.failedLogins,
		failed,
		hookCalls: stored.counters.preAuthentication,
		wallMs,
		lifetimeS: options.lifetimeS,
		durationS: wallMs / 1000,
		lifetimes: wallMs / 1000 / options.lifetimeS,
	};
}
