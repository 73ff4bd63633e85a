/**
 * The credential types whose dead token or session is answered with an HTTP error (SERVICE_CASES;
 * the JSON-RPC session types have sessions.test.ts) through n8n's real request path (n8n-core's requestWithAuthentication,
 * httpRequest and legacy request) against the emulator over real HTTP(S). Every assertion on
 * behaviour is paired with what the emulator saw: logins, refreshes, rejected calls, headers.
 */
import {
	renewToken,
	SERVICES,
} from '../../credentials/engine';
import { clearTokenCache } from '../../credentials/engine/testing';
import { userCounters } from '../emulator';
import { errorOf, shown } from '../support/errors';
import { Execution, n8nHelpers, StoredCredential } from '../support/n8n';
import { SERVICE_CASES, secretsOf } from '../support/services';
import type { ServiceCase, TestUser } from '../support/services';
import { sleep } from '../support/time';
import { useEmulator } from '../support/emulator';

const emulator = useEmulator({
	// FortiLAN's 6-logins-a-minute limit has its own test below; here it would only slow things down.
	emulator: { rateLimits: { fortilancloud: null, fortiedgecloud: null } },
	// One process: no other process to wait for (test/credentials/processes.test.ts covers that wait).
	settings: { peerWaitMs: 0 },
});

function statsOf(service: ServiceCase, user: TestUser) {
	return userCounters(emulator.control.stats(), service.emulated, service.userKey(user));
}

/** What renewing a token killed from outside costs: a refresh, or (a keepalive session) a new login. */
function renewalOfDead(service: ServiceCase): { logins: number; refreshes: number } {
	return service.keepalive ? { logins: 2, refreshes: 0 } : { logins: 1, refreshes: 1 };
}

describe.each(SERVICE_CASES)('$type', (service) => {
	let user: TestUser;
	let stored: StoredCredential;

	beforeEach(() => {
		user = service.newUser(emulator);
		stored = new StoredCredential(service.credential(), service.data(emulator, user));
	});

	test('first use logs in once, sends that token (as Bearer, or the session\'s headers) and persists it', async () => {
		const body = await new Execution(stored).request(service.resource(emulator));
		expect(body).toBeTruthy();
		const seen = statsOf(service, user);
		expect(seen.logins).toBe(1);
		expect(seen.apiAccepted).toBe(1);
		expect(seen.apiRejected).toBe(0);
		expect(seen.authorizations).toEqual([service.carried(String(stored.data.sessionToken))]);
		expect(stored.data.sessionToken).toEqual(expect.any(String));
		expect(String(stored.data.refreshToken).length).toBeGreaterThan(0);
		expect(String(stored.data.tokenOwner)).toMatch(/^[0-9a-f]{64}$/);
		if (service.lifetimeKey) expect(Date.parse(String(stored.data.expiresAt))).toBeGreaterThan(Date.now());
		else expect(stored.data.expiresAt).toBe('');
	});

	test('later executions reuse the token: in this process and after a restart (persisted token)', async () => {
		await new Execution(stored).request(service.resource(emulator));
		await new Execution(stored).request(service.resource(emulator));
		clearTokenCache(); // an n8n restart, or another process reading the same credential
		await new Execution(stored).request(service.resource(emulator));
		const seen = statsOf(service, user);
		expect(seen.logins).toBe(1);
		expect(seen.refreshes).toBe(0);
		expect(seen.apiAccepted).toBe(3);
		expect(stored.counters.preAuthentication).toBe(1);
	});

	test('50 concurrent executions on an empty token cause exactly one login and no failure', async () => {
		const results = await Promise.allSettled(
			Array.from({ length: 50 }, async () => await new Execution(stored).request(service.resource(emulator))),
		);
		expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
		const seen = statsOf(service, user);
		expect(seen.logins).toBe(1);
		expect(seen.refreshes).toBe(0);
		expect(seen.apiAccepted).toBe(50);
		expect(new Set(seen.authorizations).size).toBe(1);
	});

	test('an execution holding a superseded token sends the newer one (no call fails, no 401)', async () => {
		const early = new Execution(stored); // loads the credential now, with an empty token
		await new Execution(stored).request(service.resource(emulator));
		const holder = new Execution(stored); // loads token #1
		// The node's Refresh renews in the cache only (n8n persists nothing): token #1 is now dead
		// for one-token services, and the stored copy still names it.
		await renewToken(SERVICES[service.type], stored.load(), n8nHelpers);
		await holder.request(service.resource(emulator));
		await early.request(service.resource(emulator));
		const seen = statsOf(service, user);
		expect(seen.apiRejected).toBe(0);
		expect(seen.apiAccepted).toBe(3);
		expect(seen.logins + seen.refreshes).toBe(2);
		expect(seen.authorizations.slice(1)).toEqual([service.carried(String(stored.data.sessionToken)), service.carried(String(stored.data.sessionToken))]);
	});

	test('a token killed from outside (expired, or another login) recovers with one renewal', async () => {
		await new Execution(stored).request(service.resource(emulator));
		emulator.control.expireAll(service.emulated);
		const results = await Promise.allSettled(
			Array.from({ length: 20 }, async () => await new Execution(stored).request(service.resource(emulator))),
		);
		expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
		const seen = statsOf(service, user);
		expect(seen).toMatchObject(renewalOfDead(service));
		expect(seen.apiAccepted).toBe(21);
	});

	test('after a restart, a dead persisted token is refreshed with the persisted refresh token', async () => {
		await new Execution(stored).request(service.resource(emulator));
		clearTokenCache();
		emulator.control.expireAll(service.emulated);
		await new Execution(stored).request(service.resource(emulator));
		const seen = statsOf(service, user);
		expect(seen).toMatchObject(renewalOfDead(service));
		// The restarted process could not know before trying (FortiCASB/CWP: and the engine's check).
		expect(seen.apiRejected).toBe(service.checkedAtApi ? 2 : 1);
	});

	test('a refused refresh token falls back to one login', async () => {
		await new Execution(stored).request(service.resource(emulator));
		emulator.control.revokeAll(service.emulated); // access and refresh tokens dead
		await new Execution(stored).request(service.resource(emulator));
		const seen = statsOf(service, user);
		// A session that is its own refresh token is not tried once the appliance called it dead.
		expect(seen.failedRefreshes).toBe(service.keepalive ? 0 : 1);
		expect(seen.refreshes).toBe(0);
		expect(seen.logins).toBe(2);
		expect(seen.apiAccepted).toBe(2);
	});

	test('a wrong secret fails with a message naming the service, without the password, and is not retried blindly', async () => {
		const wrong = new StoredCredential(service.credential(), {
			...service.data(emulator, user),
			password: 'definitely-wrong-password',
			apiSecret: 'definitely-wrong-credential',
		});
		const failedBefore = emulator.control.stats()[service.emulated].failedLogins;
		const errors = await Promise.all(
			Array.from({ length: 5 }, async () => await errorOf(new Execution(wrong).request(service.resource(emulator)))),
		);
		for (const error of errors) {
			expect(shown(error)).toContain(service.label);
			expect(shown(error)).toMatch(/rejected the credentials/);
			for (const secret of [...secretsOf(user), 'definitely-wrong-password', 'definitely-wrong-credential']) {
				expect(shown(error)).not.toContain(secret);
			}
		}
		// n8n calls the hook twice per failed request and five executions tried: one login attempt.
		expect(emulator.control.stats()[service.emulated].failedLogins - failedBefore).toBe(1);
		expect(statsOf(service, user).apiAccepted + statsOf(service, user).apiRejected).toBe(0);
	});

	test('after the credential is edited to another user or a wrong password, the old identity\'s token is never sent', async () => {
		await new Execution(stored).request(service.resource(emulator));
		const oldToken = service.carried(String(stored.data.sessionToken));
		// The user edits the credential; n8n keeps the hidden fields (token of the previous identity).
		const other = service.newUser(emulator);
		stored.data = { ...stored.data, ...service.data(emulator, other) };
		await new Execution(stored).request(service.resource(emulator));
		expect(statsOf(service, other)).toMatchObject({ logins: 1, apiAccepted: 1 });
		expect(statsOf(service, user)).toMatchObject({ logins: 1, apiAccepted: 1, refreshes: 0 });

		stored.data = { ...stored.data, password: 'edited-to-a-wrong-password', apiSecret: 'edited-to-a-wrong-credential' };
		const error = await errorOf(new Execution(stored).request(service.resource(emulator)));
		expect(shown(error)).toMatch(/rejected the credentials/);
		const sent = emulator.control.stats()[service.emulated].authorizations;
		expect(sent.filter((value) => value === oldToken)).toHaveLength(1);
		expect(sent.filter((value) => value === service.carried(String(stored.data.sessionToken)))).toHaveLength(1);
		expect(sent.some((value) => /^(Bearer\s*)?(undefined|null)?$|Cookie (undefined|null)?$/.test(value))).toBe(false);
	});

	if (service.lifetimeKey) {
		test('a token near its end is renewed (refresh) before it is sent: the API never sees it expire', async () => {
			emulator.control.setLifetime(service.lifetimeKey!, 2);
			// An appliance cannot tell its idle timeout: the credential says it.
			stored.data = { ...stored.data, ...service.lifetimeData?.(2) };
			try {
				for (let i = 0; i < 6; i++) {
					await new Execution(stored).request(service.resource(emulator));
					await sleep(450);
				}
			} finally {
				emulator.control.setLifetime(service.lifetimeKey!, service.lifetime ?? 3600);
			}
			const seen = statsOf(service, user);
			expect(seen.apiRejected).toBe(0);
			expect(seen.apiAccepted).toBe(6);
			expect(seen.logins).toBe(1);
			expect(service.keptAliveBy === 'check' ? seen.tokenChecks : seen.refreshes).toBeGreaterThanOrEqual(1);
		});
	}
});
