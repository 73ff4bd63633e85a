/**
 * A run of API failures with a live token (issue "tokens that die out of sight", point 2): N
 * lookups of devices that do not exist, one after another, through n8n-core's real
 * requestWithAuthentication, ours vs the baseline. n8n runs the login hook after every failure;
 * what it costs in renewals and 429s, and whether the user sees the API's own 404.
 */
import { userCounters } from '../emulator';
import type { Emulator } from '../emulator';
import { Execution } from '../support/n8n';
import type { ServiceCase } from '../support/services';
import type { Impl } from './load';
import { newCredential } from './load';
import { clearTokenCache } from '../../credentials/engine/testing';

export interface FailureRunResult {
	service: string;
	impl: Impl;
	lookups: number;
	/** Logins and refreshes after the first (successful) request. */
	renewals: number;
	rateLimited: number;
	/** Lookups whose error was the API's 404 (not a login or rate-limit message). */
	apiErrorShown: number;
}

/** A path the API answers 404 with a valid token (or, for unknown paths, before looking at it). */
export function missingPath(service: ServiceCase, emulator: Emulator, n: number): string {
	const base = emulator.urls[service.emulated];
	switch (service.type) {
		case 'fortiLanCloudApi':
			return `${base}/api/v1/switches/MISSING-${n}`;
		case 'fortiSaseApi':
			return `${base}/resource-api/v2/missing-${n}`;
		case 'fortiCloudIamApi':
			return `${base}/ES/api/fortiflex/v2/missing-${n}`;
		case 'fortiAuthenticatorApi':
			return `${base}/api/fabric/missing-${n}`;
		default:
			return `${base}/api/v1/missing-${n}`;
	}
}

export async function failureRun(emulator: Emulator, service: ServiceCase, impl: Impl, lookups: number): Promise<FailureRunResult> {
	emulator.control.reset();
	clearTokenCache();
	const { user, stored } = newCredential(service, emulator, impl);
	await new Execution(stored).request(service.resource(emulator));
	const first = userCounters(emulator.control.stats(), service.emulated, service.userKey(user));
	let apiErrorShown = 0;
	for (let n = 0; n < lookups; n++) {
		try {
			await new Execution(stored).request({ uri: missingPath(service, emulator, n), method: 'GET', json: true });
		} catch (error) {
			const record = error as Error & { description?: unknown; httpCode?: unknown };
			const text = `${record.message} | ${String(record.description ?? '')} | ${String(record.httpCode ?? '')}`;
			if (/404|not found/i.test(text) && !/429|rate limit|rejected the credentials/i.test(text)) apiErrorShown++;
		}
	}
	const after = userCounters(emulator.control.stats(), service.emulated, service.userKey(user));
	return {
		service: service.label,
		impl,
		lookups,
		renewals: after.logins + after.refreshes - (first.logins + first.refreshes),
		rateLimited: emulator.control.stats()[service.emulated].rateLimited,
		apiErrorShown,
	};
}
