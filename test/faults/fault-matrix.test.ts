/**
 * Fault matrix: every service × every fault the emulator can put on its token endpoint (and on
 * its refresh endpoint), through n8n-core's real requestWithAuthentication (`Execution`). For each:
 * a clear error naming the service or a bounded success, a bounded wall time, an exact count of
 * token-endpoint calls (no retry loop, no login storm), and never an empty Bearer on the wire.
 *
 * n8n calls `preAuthentication` twice for a failed request (first use, then "after any error"),
 * so a persistent fault costs exactly two token calls per execution.
 */
import {
	configureEngine,
} from '../../credentials/engine';
import type { Fault } from '../emulator';
import { Execution, StoredCredential } from '../support/n8n';
import { SERVICE_CASES, secretsOf } from '../support/services';
import type { ServiceCase, TestUser } from '../support/services';
import {
	badAuthorizations,
	countCalls,
	countersOf,
	FAILING_TOKEN_FAULTS,
	restoreTokenCalls,
	spyOnTokenCalls,
	TIMEOUT_MS,
	tokenCalls,
} from './support';
import { errorOf, shownText } from '../support/errors';
import { useEmulator } from '../support/emulator';

const emulator = useEmulator({
	emulator: { rateLimits: { fortilancloud: null, fortiedgecloud: null } },
	// One process: no other process to wait for (test/credentials/processes.test.ts covers that wait).
	settings: { timeoutMs: TIMEOUT_MS, maxRetryAfterMs: 1500, peerWaitMs: 0 },
});

beforeAll(() => spyOnTokenCalls());
afterAll(() => restoreTokenCalls());
beforeEach(() => {
	tokenCalls.length = 0;
});
afterEach(() => {
	emulator.control.clearFaults();
	// Whatever the fault, nothing that is not a real token ever went out as a Bearer.
	expect(badAuthorizations(emulator)).toEqual([]);
});

/** Protected-API calls the emulated service received, authenticated or not. */
function apiCalls(service: ServiceCase): number {
	const stats = emulator.control.stats()[service.emulated];
	return stats.apiAccepted + stats.apiRejected;
}

interface Setup {
	user: TestUser;
	stored: StoredCredential;
	run: () => Promise<unknown>;
}

function setup(service: ServiceCase): Setup {
	const user = service.newUser(emulator);
	const stored = new StoredCredential(service.credential(), service.data(emulator, user));
	return { user, stored, run: async () => await new Execution(stored).request(service.resource(emulator)) };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
	const started = Date.now();
	const value = await work();
	return { value, ms: Date.now() - started };
}

const ABSURD_EXPIRIES: unknown[] = [-3600, 0, 'soon', 1e15, -1e15, null, { seconds: 10 }, '1e400'];

describe.each(SERVICE_CASES)('$type: faults on the token endpoint', (service) => {
	const label = service.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

	test.each(FAILING_TOKEN_FAULTS)('$name → a clear error naming the service, at most two token calls, no request sent', async ({ fault, message, maxMs }) => {
		const { user, run } = setup(service);
		const apiCallsBefore = apiCalls(service);
		emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 5, fault });
		const { value: error, ms } = await timed(async () => await errorOf(run()));
		const text = shownText(error);
		// n8n's NodeApiError may replace the headline with its own text and keep ours in
		// description/messages: what the user sees is all of it.
		expect(text).toMatch(message(label));
		expect(error.message).toMatch(message(label)); // the headline itself, not only the description
		expect(text).not.toMatch(/undefined|\[object Object\]/);
		for (const secret of secretsOf(user)) expect(text).not.toContain(secret);
		expect(ms).toBeLessThan(maxMs);
		// One attempt per hook call (n8n's first call and its "after any error" call), except after a
		// 429: the engine does not ask again before the service's Retry-After.
		expect(countCalls('login')).toBe(fault.type === 'rateLimit' ? 1 : 2);
		expect(countCalls('refresh')).toBe(0);
		const seen = countersOf(emulator, service, user);
		expect(seen.apiAccepted + seen.apiRejected).toBe(0); // nothing was sent without a token
		expect(apiCalls(service)).toBe(apiCallsBefore); // not even unauthenticated (no user to attribute it to)
	});

	// NodeApiError turns any message containing "bad gateway" into its generic 502 headline, even
	// for an HTTP 200 answer: the engine keeps an HTML page's <title> ("502 Bad Gateway") out of it.
	test.each(FAILING_TOKEN_FAULTS.filter((f) => f.fault.type === 'html'))(
		'$name → the error headline itself names the service',
		async ({ fault }) => {
			const { run } = setup(service);
			emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 5, fault });
			const error = await errorOf(run());
			expect(error.message).toContain(service.label);
		},
	);

	test('persistent HTTP 500: five executions, two token calls each, no storm', async () => {
		const { run } = setup(service);
		emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 100, fault: { type: 'status', status: 500 } });
		for (let i = 0; i < 5; i++) await errorOf(run());
		expect(countCalls()).toBe(10);
	});

	test('50 concurrent executions during a 500 share one login attempt per hook round (single-flight)', async () => {
		const { user, run } = setup(service);
		emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 100, fault: { type: 'status', status: 500 } });
		const results = await Promise.allSettled(Array.from({ length: 50 }, async () => await run()));
		expect(results.every((r) => r.status === 'rejected')).toBe(true);
		// 100 hook calls collapse into a handful of shared renewals.
		expect(countCalls()).toBeLessThanOrEqual(4);
		expect(countersOf(emulator, service, user).apiAccepted).toBe(0);
	});

	test('429 with a short Retry-After → one bounded wait, then the login succeeds', async () => {
		const { user, run } = setup(service);
		emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 1, fault: { type: 'rateLimit', retryAfter: 1 } });
		const { ms } = await timed(run);
		expect(ms).toBeGreaterThanOrEqual(900);
		expect(ms).toBeLessThan(4000);
		expect(countCalls('login')).toBe(2); // the 429, then the one retry
		expect(countersOf(emulator, service, user)).toMatchObject({ logins: 1, apiAccepted: 1, apiRejected: 0 });
	});

	test('429 with a Retry-After above the engine limit is not waited out (no hang)', async () => {
		configureEngine({ maxRetryAfterMs: 500 });
		const { run } = setup(service);
		emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 5, fault: { type: 'rateLimit', retryAfter: 1 } });
		const { value: error, ms } = await timed(async () => await errorOf(run()));
		expect(error.message).toMatch(new RegExp(`${label} is rate limiting logins`));
		expect(ms).toBeLessThan(900);
		expect(countCalls('login')).toBe(1); // n8n's second hook call is answered from memory
	});

	// Fortinet counts failed logins against the account (FortiCare: 10 errors an hour) and FortiLAN
	// allows 6 auth calls a minute: after a 429 that says "wait 60 s", asking again sooner only burns
	// the budget: the engine remembers a rate limit until its Retry-After, as it does refused logins.
	test('after a 429 asking to wait 60 s, later executions do not call the token endpoint again before then', async () => {
		const { run } = setup(service);
		emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 100, fault: { type: 'rateLimit', retryAfter: 60 } });
		for (let i = 0; i < 5; i++) await errorOf(run());
		expect(countCalls()).toBeLessThanOrEqual(1);
	});

	test.each(ABSURD_EXPIRIES.map((value) => ({ value, shown: JSON.stringify(value) })))(
		'absurd expiry $shown → success, a sane stored expiry, and no renewal on every request',
		async ({ value }) => {
			const { user, stored, run } = setup(service);
			emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 1, fault: { type: 'expires', value } });
			await run();
			const expiresAt = String(stored.data.expiresAt);
			if (expiresAt !== '') {
				const at = Date.parse(expiresAt);
				expect(at).toBeGreaterThan(Date.now());
				expect(at).toBeLessThan(Date.now() + 366 * 24 * 3600 * 1000);
			}
			for (let i = 0; i < 10; i++) await run();
			expect(countCalls()).toBe(1);
			expect(countersOf(emulator, service, user)).toMatchObject({ logins: 1, refreshes: 0, apiAccepted: 11, apiRejected: 0 });
		},
	);

	test('a 1-second expiry (shorter than any sane renewal window) is renewed, not renewed on every request', async () => {
		const { user, run } = setup(service);
		emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 1, fault: { type: 'expires', value: service.emulated === 'casb' || service.emulated === 'cwp' ? Date.now() + 1500 : 1.5 } });
		await run();
		for (let i = 0; i < 10; i++) await run();
		// Within ~100 ms of requests the token is still valid: at most one renewal, never ten.
		expect(countCalls()).toBeLessThanOrEqual(2);
		expect(countersOf(emulator, service, user).apiRejected).toBe(0);
	});
});

// A keepalive (FortiOS) is no refresh grant: a killed session goes straight to a login, and its
// keepalive faults are in test/credentials/fortios.test.ts.
describe.each(SERVICE_CASES.filter((service) => !service.keepalive))('$type: faults on the refresh endpoint', (service) => {
	const label = service.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

	/** A working token, then killed at the service so that the next execution must renew. */
	async function withDeadToken(): Promise<Setup> {
		const s = setup(service);
		await s.run();
		emulator.control.expireAll(service.emulated);
		tokenCalls.length = 0;
		return s;
	}

	test.each([
		{ name: 'HTTP 500', fault: { type: 'status', status: 500 } as Fault },
		{ name: 'an HTML page', fault: { type: 'html' } as Fault },
		{ name: 'malformed JSON', fault: { type: 'malformedJson' } as Fault },
		{ name: 'a 200 without a token', fault: { type: 'noToken' } as Fault },
	])('refresh fails with $name → one fallback login, the execution succeeds', async ({ fault }) => {
		const { user, run } = await withDeadToken();
		emulator.control.injectFault({ service: service.emulated, endpoint: 'refresh', count: 5, fault });
		await run();
		expect(countCalls('refresh')).toBe(1);
		expect(countCalls('login')).toBe(1);
		const seen = countersOf(emulator, service, user);
		expect(seen).toMatchObject({ logins: 2, refreshes: 0, apiAccepted: 2 });
		// The token the service killed behind our back, once (FortiCASB/CWP: and the engine's check of it).
		expect(seen.apiRejected).toBe(service.checkedAtApi ? 2 : 1);
	});

	test('refresh rate limited (long Retry-After) → a clear error, no fallback login, no storm over 5 executions', async () => {
		const { user, run } = await withDeadToken();
		emulator.control.injectFault({ service: service.emulated, endpoint: 'refresh', count: 100, fault: { type: 'rateLimit', retryAfter: 60 } });
		for (let i = 0; i < 5; i++) {
			const error = await errorOf(run());
			expect(error.message).toMatch(new RegExp(`${label} is rate limiting`));
		}
		expect(countCalls('login')).toBe(0);
		expect(countCalls('refresh')).toBeLessThanOrEqual(5);
		expect(countersOf(emulator, service, user).logins).toBe(1);
	});

	test('refresh rate limited with a short Retry-After → one bounded wait, then the refresh succeeds', async () => {
		const { user, run } = await withDeadToken();
		emulator.control.injectFault({ service: service.emulated, endpoint: 'refresh', count: 1, fault: { type: 'rateLimit', retryAfter: 1 } });
		await run();
		expect(countCalls('refresh')).toBe(2);
		expect(countCalls('login')).toBe(0);
		expect(countersOf(emulator, service, user)).toMatchObject({ logins: 1, refreshes: 1, apiAccepted: 2 });
	});

	test('refresh connection reset → a clear error naming the service, no login', async () => {
		const { run } = await withDeadToken();
		emulator.control.injectFault({ service: service.emulated, endpoint: 'refresh', count: 5, fault: { type: 'reset' } });
		const { value: error, ms } = await timed(async () => await errorOf(run()));
		expect(error.message).toMatch(new RegExp(`Could not reach ${label}`));
		expect(ms).toBeLessThan(3000);
		expect(countCalls('refresh')).toBe(1);
		expect(countCalls('login')).toBe(0);
	});

	test('refresh timeout → a clear error within the engine timeout, no login', async () => {
		const { run } = await withDeadToken();
		emulator.control.injectFault({ service: service.emulated, endpoint: 'refresh', count: 5, fault: { type: 'delay', ms: 2500 } });
		const { value: error, ms } = await timed(async () => await errorOf(run()));
		expect(error.message).toMatch(new RegExp(`${label} did not answer within`));
		expect(ms).toBeLessThan(TIMEOUT_MS + 1500);
		expect(countCalls('refresh')).toBe(1);
		expect(countCalls('login')).toBe(0);
		// The one check that found the token dead (none where the service has no check).
		expect(countCalls('check')).toBe(service.type === 'fortiAuthenticatorApi' ? 0 : 1);
	});
});
