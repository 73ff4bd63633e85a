/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals -- test and tool code runs in Node, not inside n8n: emulator fixtures, Node globals are its to use */
/**
 * Tokens that die out of the engine's sight (issue "tokens that die out of sight"), through n8n-core's
 * real requestWithAuthentication against the emulator. Each test names the point it proves and
 * asserts both the executions' results and what the emulator saw.
 */
import type { ICredentialType } from 'n8n-workflow';

import { configureEngine, getToken, renewToken, revokeToken, SERVICES } from '../../credentials/engine';
import { FortiCloudIamApi } from '../../credentials/FortiCloudIamApi.credentials';
import { FortiLanCloudApi } from '../../credentials/FortiLanCloudApi.credentials';
import { FortiSaseApi } from '../../credentials/FortiSaseApi.credentials';
import { FortinetToken } from '../../nodes/FortinetToken/FortinetToken.node';
import { userCounters } from '../emulator';
import { countCalls, restoreTokenCalls, spyOnTokenCalls, tokenCalls } from '../faults/support';
import { credentialTypeOn, Execution, n8nHelpers, StoredCredential } from '../support/n8n';
import { caseOf, issueSaseToken, SERVICE_CASES } from '../support/services';
import type { ServiceCase, TestUser } from '../support/services';
import { messageOf } from '../support/errors';
import { useEmulator } from '../support/emulator';

// FortiLAN Cloud's real limit (6 auth calls a minute) stays on: a storm must show up as a 429.
const emulator = useEmulator({ settings: { timeoutMs: 1500, maxRetryAfterMs: 0 } });

beforeAll(() => spyOnTokenCalls());
afterAll(() => restoreTokenCalls());
beforeEach(() => {
	tokenCalls.length = 0;
});

function seen(service: ServiceCase, user: TestUser) {
	return userCounters(emulator.control.stats(), service.emulated, service.userKey(user));
}

function renewals(service: ServiceCase, user: TestUser): number {
	const counters = seen(service, user);
	return counters.logins + counters.refreshes;
}

async function outcomes(runs: Array<Promise<unknown>>): Promise<{ ok: number; errors: string[] }> {
	const settled = await Promise.allSettled(runs);
	const errors = settled.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
	return { ok: settled.length - errors.length, errors };
}

/** A request the API itself fails with a valid token: a device that does not exist, or an unknown path. */
function missing(service: ServiceCase, n: number) {
	const base = emulator.urls[service.emulated];
	switch (service.type) {
		case 'fortiLanCloudApi':
			return { uri: `${base}/api/v1/switches/MISSING-${n}`, method: 'GET' as const, json: true };
		case 'fortiSaseApi':
			return { uri: `${base}/resource-api/v2/missing-${n}`, method: 'GET' as const, json: true };
		case 'fortiCloudIamApi':
			return { uri: `${base}/ES/api/fortiflex/v2/missing-${n}`, method: 'GET' as const, json: true };
		case 'fortiAuthenticatorApi':
			return { uri: `${base}/api/fabric/missing-${n}`, method: 'GET' as const, json: true };
		default:
			return { uri: `${base}/api/v1/missing-${n}`, method: 'GET' as const, json: true };
	}
}

describe.each(SERVICE_CASES)('$type', (service) => {
	let user: TestUser;
	let stored: StoredCredential;
	const run = async () => await new Execution(stored).request(service.resource(emulator));

	beforeEach(() => {
		emulator.control.setRateLimit('fortilancloud', null);
		user = service.newUser(emulator);
		stored = new StoredCredential(service.credential(), service.data(emulator, user));
	});
	afterEach(() => emulator.control.setRateLimit('fortilancloud', { max: 6, windowMs: 60_000 }));

	test('1. a token the package renewed itself (never persisted), then killed from outside: one renewal, no failed execution', async () => {
		await run(); // token #1, persisted
		await renewToken(SERVICES[service.type], stored.load(), n8nHelpers); // token #2, in the cache only
		const before = renewals(service, user);
		emulator.control.expireAll(service.emulated); // token #2 dies where the engine cannot see it
		const result = await outcomes(Array.from({ length: 20 }, async () => await run()));
		expect(result.errors).toEqual([]);
		expect(renewals(service, user) - before).toBe(1);
		expect(seen(service, user).apiAccepted).toBeGreaterThanOrEqual(21);
	});

	test('2. a run of API failures (404) with a live token costs at most one renewal and shows the API\'s own error', async () => {
		await run();
		const before = renewals(service, user);
		for (let n = 0; n < 8; n++) {
			const text = await messageOf(new Execution(stored).request(missing(service, n)));
			expect(text).toMatch(/404|not found/i);
			expect(text).not.toMatch(/rate limit|\(HTTP 429\)|rejected the credentials|expired/i);
		}
		const spent = renewals(service, user) - before;
		// Where the service can say the token is alive (all but FortiAuthenticator), nothing at all.
		expect(spent).toBe(service.type === 'fortiAuthenticatorApi' ? 1 : 0);
		expect(seen(service, user).rateLimited).toBe(0);
		await run(); // and the token still works
	});

	test('3. a token another process stored later is adopted, also when tokens never expire', async () => {
		await run(); // this process: token #1
		// Another n8n process (own module registry, own cache) renews and persists token #2.
		let otherType: ICredentialType | undefined;
		jest.isolateModules(() => {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			otherType = credentialTypeOn(require('../../credentials/engine') as typeof import('../../credentials/engine'), service);
		});
		await stored.seenBy(otherType!).preAuthentication(stored.load(), true);
		const before = seen(service, user);
		await run();
		await run();
		const after = seen(service, user);
		// This process sends the newer stored token: no rejected call, no renewal of its own.
		expect(after.apiRejected - before.apiRejected).toBe(0);
		expect(after.logins + after.refreshes - (before.logins + before.refreshes)).toBe(0);
		expect(after.authorizations.slice(-2)).toEqual([service.carried(String(stored.data.sessionToken)), service.carried(String(stored.data.sessionToken))]);
	});
});

describe('4. one identity, one entry', () => {
	test('FortiLAN Cloud and FortiCloud IAM (custom client_id fortilancloud) on one API user share one token', async () => {
		emulator.control.setRateLimit('fortilancloud', { max: 6, windowMs: 60_000 });
		const lan = caseOf('fortiLanCloudApi');
		const user = lan.newUser(emulator);
		const viaLan = new StoredCredential(new FortiLanCloudApi(), lan.data(emulator, user));
		const viaIam = new StoredCredential(new FortiCloudIamApi(), {
			username: user.username,
			password: user.password,
			authUrl: emulator.urls.iam,
			service: 'custom',
			customClientId: 'fortilancloud',
		});
		for (let i = 0; i < 6; i++) {
			await new Execution(i % 2 ? viaIam : viaLan).request(lan.resource(emulator));
		}
		expect(seen(lan, user)).toMatchObject({ logins: 1, refreshes: 0, apiRejected: 0, rateLimited: 0, apiAccepted: 6 });
	});
});

describe('5. revoke joins the single flight', () => {
	test('a renewal asked for during a revocation starts after it: no token the engine does not know stays live', async () => {
		const lan = caseOf('fortiLanCloudApi');
		emulator.control.setRateLimit('fortilancloud', null);
		const user = lan.newUser(emulator);
		const stored = new StoredCredential(new FortiLanCloudApi(), lan.data(emulator, user));
		await new Execution(stored).request(lan.resource(emulator));
		emulator.control.injectFault({ service: 'iam', endpoint: 'revoke', count: 1, fault: { type: 'delay', ms: 300 } });
		const revoking = revokeToken(SERVICES.fortiLanCloudApi, stored.load(), n8nHelpers);
		await new Promise((resolve) => setTimeout(resolve, 50));
		const racing = getToken(SERVICES.fortiLanCloudApi, stored.load(), n8nHelpers, { forceNewLogin: true });
		const [revoked, raced] = await Promise.all([revoking, racing]);
		expect(revoked.revokedAtService).toBe(true);
		// The token live at the service is the one the engine holds (and would send, or revoke next).
		expect(emulator.control.activeToken('iam', lan.userKey(user))).toBe(raced.token.accessToken);
		const order = tokenCalls.map((call) => call.grant).filter((grant) => grant !== 'check');
		expect(order.slice(-3)).toEqual(['revoke', 'revoke', 'login']);
	});
});

describe('6. eviction never drops an entry whose renewal is in flight', () => {
	test('with a cache of one identity, a second identity arriving mid-login does not cause a second login', async () => {
		configureEngine({ cacheSize: 1 });
		const flex = caseOf('fortiCloudIamApi');
		const first = flex.newUser(emulator);
		const second = flex.newUser(emulator);
		const storedFirst = new StoredCredential(flex.credential(), flex.data(emulator, first));
		const storedSecond = new StoredCredential(flex.credential(), flex.data(emulator, second));
		emulator.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'delay', ms: 400 } });
		const slow = new Execution(storedFirst).request(flex.resource(emulator));
		await new Promise((resolve) => setTimeout(resolve, 100));
		const other = new Execution(storedSecond).request(flex.resource(emulator));
		const joined = new Execution(new StoredCredential(flex.credential(), flex.data(emulator, first))).request(flex.resource(emulator));
		const result = await outcomes([slow, other, joined]);
		expect(result.errors).toEqual([]);
		expect(seen(flex, first).logins).toBe(1);
	});
});

describe('7. a remembered 429 is bounded, and Force New Login overrides it', () => {
	test('Retry-After: 86400 is remembered for maxRateLimitMemoryMs at most', async () => {
		configureEngine({ maxRateLimitMemoryMs: 400 });
		const flex = caseOf('fortiCloudIamApi');
		const user = flex.newUser(emulator);
		const stored = new StoredCredential(flex.credential(), flex.data(emulator, user));
		emulator.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'rateLimit', retryAfter: 86400 } });
		expect(await messageOf(new Execution(stored).request(flex.resource(emulator)))).toMatch(/rate limiting logins \(HTTP 429\); it asks to wait 86400 s/);
		expect(await messageOf(new Execution(stored).request(flex.resource(emulator)))).toMatch(/HTTP 429/);
		expect(countCalls('login')).toBe(1); // the second answer came from memory
		await new Promise((resolve) => setTimeout(resolve, 500));
		await new Execution(stored).request(flex.resource(emulator));
		expect(seen(flex, user).logins).toBe(1);
	});

	test('Force New Login asks the service despite a remembered 429', async () => {
		const flex = caseOf('fortiCloudIamApi');
		const user = flex.newUser(emulator);
		const stored = new StoredCredential(flex.credential(), flex.data(emulator, user));
		emulator.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'rateLimit', retryAfter: 86400 } });
		expect(await messageOf(new Execution(stored).request(flex.resource(emulator)))).toMatch(/HTTP 429/);
		const forced = await getToken(SERVICES.fortiCloudIamApi, stored.load(), n8nHelpers, { forceNewLogin: true });
		expect(forced.fromCache).toBe(false);
		expect(seen(flex, user).logins).toBe(1);
	});
});

describe('8. the credential Test (node testedBy, run by the editor on every form open)', () => {
	type TestFunction = FortinetToken['methods']['credentialTest']['fortinetCredentialTest'];
	const context = { helpers: { request: n8nHelpers.request }, logger: console } as unknown as ThisParameterType<TestFunction>;
	/** What n8n's CredentialsTester calls for a credential whose node declares `testedBy`. */
	const test8 = {
		call: async (self: typeof context, credential: Parameters<TestFunction>[0]) =>
			await new FortinetToken().methods.credentialTest.fortinetCredentialTest.call(self, credential),
	};

	test.each(SERVICE_CASES)('$type: with a live token of the same identity, a Test costs no login and running workflows keep their token', async (service) => {
		emulator.control.setRateLimit('fortilancloud', null);
		const user = service.newUser(emulator);
		const stored = new StoredCredential(service.credential(), service.data(emulator, user));
		await new Execution(stored).request(service.resource(emulator));
		for (let i = 0; i < 3; i++) {
			const result = await test8.call(context, { id: '1', name: 'Fortinet', type: service.type, data: stored.load() });
			expect(result).toEqual({ status: 'OK', message: expect.stringMatching(/Connection successful/) });
		}
		await new Execution(stored).request(service.resource(emulator));
		expect(seen(service, user)).toMatchObject({ logins: 1, refreshes: 0 });
		expect(seen(service, user).apiRejected).toBe(0);
	});

	test('without a token, the Test logs in through the engine, and the workflows use that token', async () => {
		const lan = caseOf('fortiLanCloudApi');
		emulator.control.setRateLimit('fortilancloud', null);
		const user = lan.newUser(emulator);
		const stored = new StoredCredential(lan.credential(), lan.data(emulator, user));
		const result = await test8.call(context, { id: '1', name: 'Fortinet', type: lan.type, data: stored.load() });
		expect(result.status).toBe('OK');
		await new Execution(stored).request(lan.resource(emulator));
		expect(seen(lan, user)).toMatchObject({ logins: 1, apiRejected: 0, apiAccepted: 1 });
	});

	test('a wrong password: the Test says so, naming the service, without the password', async () => {
		const lan = caseOf('fortiLanCloudApi');
		const user = lan.newUser(emulator);
		const data = { ...lan.data(emulator, user), password: 'not-the-password-1234' };
		const result = await test8.call(context, { id: '1', name: 'Fortinet', type: lan.type, data });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/FortiLAN Cloud rejected the credentials/);
		expect(result.message).not.toContain('not-the-password-1234');
	});

	test('a pasted FortiSASE token: valid, then expired', async () => {
		const sase = caseOf('fortiSaseApi');
		const user = sase.newUser(emulator);
		const pasted = await issueSaseToken(emulator, user);
		const data = { authMethod: 'accessToken', accessToken: pasted, authUrl: emulator.urls.iam };
		expect(await test8.call(context, { id: '1', name: 'Fortinet', type: 'fortiSaseApi', data })).toEqual({ status: 'OK', message: 'The access token is valid.' });
		emulator.control.expireAll('iam');
		const expired = await test8.call(context, { id: '1', name: 'Fortinet', type: 'fortiSaseApi', data });
		expect(expired.status).toBe('Error');
		expect(expired.message).toMatch(/ready-made tokens expire after one hour/);
	});
});

describe('9. a hanging token endpoint during renewal ahead of expiry', () => {
	test('one attempt waits for the deadline; the next requests keep the still-valid token without waiting', async () => {
		configureEngine({ timeoutMs: 600 });
		const flex = caseOf('fortiCloudIamApi');
		emulator.control.setLifetime('flexvm', 30);
		try {
			const user = flex.newUser(emulator);
			const stored = new StoredCredential(flex.credential(), flex.data(emulator, user));
			await new Execution(stored).request(flex.resource(emulator));
			// Inside the renewal window, well before expiry.
			configureEngine({ maxSkewMs: 30_000, renewalShare: 1 });
			emulator.control.injectFault({ service: 'iam', endpoint: 'refresh', count: 10, fault: { type: 'delay', ms: 5000 } });
			tokenCalls.length = 0;
			for (let i = 0; i < 5; i++) await new Execution(stored).request(flex.resource(emulator));
			expect(countCalls('refresh')).toBe(1);
			expect(seen(flex, user)).toMatchObject({ apiAccepted: 6, apiRejected: 0 });
		} finally {
			emulator.control.setLifetime('flexvm', 3600);
			emulator.control.clearFaults();
		}
	});
});

describe('the pasted FortiSASE token and API failures', () => {
	test('a 404 with a valid pasted token shows the API\'s 404, not "token expired"', async () => {
		const sase = caseOf('fortiSaseApi');
		const user = sase.newUser(emulator);
		const pasted = await issueSaseToken(emulator, user);
		const stored = new StoredCredential(new FortiSaseApi(), { authMethod: 'accessToken', accessToken: pasted, authUrl: emulator.urls.iam });
		const text = await messageOf(new Execution(stored).request(missing(sase, 1)));
		expect(text).toMatch(/404|not found/i);
		expect(text).not.toMatch(/expire/i);
	});
});
