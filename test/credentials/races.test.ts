/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tool code runs in Node, not inside n8n: Node globals are its to use */
/**
 * Races and corner cases found by attacking the engine (a review of the "tokens that die out of
 * sight" change): each test failed on the engine as first changed, and passes now.
 */
import { configureEngine, getToken, renewToken, SERVICES } from '../../credentials/engine';
import { userCounters } from '../emulator';
import { Execution, n8nHelpers, StoredCredential } from '../support/n8n';
import { caseOf, issueSaseToken } from '../support/services';
import { outcomeOf } from '../support/errors';
import { useEmulator } from '../support/emulator';

const original = { ...n8nHelpers };
const emulator = useEmulator({ settings: { timeoutMs: 3000, maxRetryAfterMs: 0 } });

afterAll(() => Object.assign(n8nHelpers, original));
beforeEach(() => Object.assign(n8nHelpers, original));

test('a failure after a liveness check was sent waits for a new check: a token that died meanwhile is renewed, not handed back', async () => {
	const service = caseOf('fortiLanCloudApi');
	emulator.control.setRateLimit('fortilancloud', null);
	const user = service.newUser(emulator);
	const stored = new StoredCredential(service.credential(), service.data(emulator, user));
	await new Execution(stored).request(service.resource(emulator)); // T1
	// The network returns verify_token's answer 300 ms after the service gave it.
	let checkAnswered: () => void = () => undefined;
	const answered = new Promise<void>((r) => (checkAnswered = r));
	n8nHelpers.httpRequest = async (options) => {
		const response = await original.httpRequest(options);
		if (/verify_token/.test(String(options.url))) {
			checkAnswered();
			await new Promise((r) => setTimeout(r, 300));
		}
		return response;
	};
	// A: a request the API fails (404) with the live T1 -> check starts
	const a = outcomeOf(new Execution(stored).request({ uri: `${emulator.urls.iam}/api/v1/switches/MISSING`, method: 'GET', json: true }));
	await answered; // the service said "alive" for T1
	emulator.control.expireAll('iam'); // T1 dies (another process logs in, admin, ...)
	// B: a request that fails BECAUSE T1 is dead, while the answer is still on the wire
	const b = outcomeOf(new Execution(stored).request(service.resource(emulator)));
	// A's check said "alive" before the death; its resend then meets the dead token: the API's
	// 404 or that 401 (the window between a check and n8n's resend is closed by no hook).
	expect(await a).toMatch(/404|not found|401/i);
	expect(await b).toBe('OK');
});

test('a renewal that failed while a check was under way (refresh refused, login 503 once) does not make the hook hand back the dead token', async () => {
	const service = caseOf('fortiLanCloudApi');
	emulator.control.setRateLimit('fortilancloud', null);
	const user = service.newUser(emulator);
	const stored = new StoredCredential(service.credential(), service.data(emulator, user));
	await new Execution(stored).request(service.resource(emulator)); // T1/R1
	emulator.control.revokeAll('iam'); // T1 and R1 die out of sight
	// verify_token answers slowly (the answer, "dead", is on the wire for 300 ms)
	let checkSent: () => void = () => undefined;
	const sent = new Promise<void>((r) => (checkSent = r));
	n8nHelpers.httpRequest = async (options) => {
		if (/verify_token/.test(String(options.url))) {
			checkSent();
			const response = await original.httpRequest(options);
			await new Promise((r) => setTimeout(r, 300));
			return response;
		}
		return await original.httpRequest(options);
	};
	const a = outcomeOf(new Execution(stored).request(service.resource(emulator))); // fails with T1 -> preAuth -> check
	await sent;
	// meanwhile the node's Refresh Token op: R1 refused, the login meets one transient 503
	emulator.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'status', status: 503 } });
	const refresh = await outcomeOf(renewToken(SERVICES[service.type], stored.load(), n8nHelpers));
	expect(refresh).toMatch(/^ERR FortiLAN Cloud had an internal error during the login \(HTTP 503\)/);
	const aText = await a;
	expect(aText).toBe('OK');
});

test.each([
	{ cacheSize: 2, identities: 4 },
	{ cacheSize: 4, identities: 5 },
])('cache at capacity ($cacheSize entries, $identities identities x 5 executions): one login per identity, no failure', async ({ cacheSize, identities }) => {
	configureEngine({ cacheSize });
	const service = caseOf('fortiLanCloudApi');
	emulator.control.setRateLimit('fortilancloud', null);
	const users = Array.from({ length: identities }, () => service.newUser(emulator));
	const stores = users.map((u) => new StoredCredential(service.credential(), service.data(emulator, u)));
	const runs: Array<Promise<string>> = [];
	for (let i = 0; i < 5; i++) for (const s of stores) runs.push(outcomeOf(new Execution(s).request(service.resource(emulator))));
	const results = await Promise.all(runs);
	const logins = users.map((u) => userCounters(emulator.control.stats(), 'iam', service.userKey(u)).logins);
	expect(Math.max(...logins)).toBe(1);
	expect(results.filter((r) => r !== 'OK')).toEqual([]);
});

test('pasted FortiSASE token: 25 concurrent API failures share one verify_token call', async () => {
	const service = caseOf('fortiSaseApi');
	const user = service.newUser(emulator);
	const token = await issueSaseToken(emulator, user);
	const stored = new StoredCredential(service.credential(), { authMethod: 'accessToken', accessToken: token, authUrl: emulator.urls.iam });
	const before = emulator.control.stats().iam.tokenChecks;
	await Promise.all(Array.from({ length: 25 }, (_, n) => outcomeOf(new Execution(stored).request({ uri: `${emulator.urls.iam}/resource-api/v2/missing-${n}`, method: 'GET', json: true }))));
	const checks = emulator.control.stats().iam.tokenChecks - before;
	expect(checks).toBeLessThanOrEqual(1);
});

test('a password echoed HTML-escaped in a non-JSON error body is removed from the message', async () => {
	const user = { username: 'html-echo@example.com', password: 'Tr0ub4dor&3<x>' };
	emulator.control.addUser('casb', user);
	const escaped = user.password.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	emulator.control.injectFault({ service: 'casb', endpoint: 'token', count: 5, fault: { type: 'status', status: 400, contentType: 'text/plain', body: `<p>Login failed for password ${escaped}</p>` } });
	const text = await outcomeOf(getToken(SERVICES.fortiCasbApi, { authMethod: 'password', username: user.username, password: user.password, baseUrl: emulator.urls.casb }, n8nHelpers));
	expect(text).not.toContain(escaped);
});

test('FortiCloud IAM with verify_token failing (503): a 404, then the token is killed from outside: renewed, no failed execution', async () => {
	const service = caseOf('fortiLanCloudApi');
	emulator.control.setRateLimit('fortilancloud', null);
	const user = service.newUser(emulator);
	const stored = new StoredCredential(service.credential(), service.data(emulator, user));
	await new Execution(stored).request(service.resource(emulator));
	emulator.control.injectFault({ service: 'iam', endpoint: 'check', count: 100, fault: { type: 'status', status: 503 } });
	emulator.control.expireAll('iam');
	const text = await outcomeOf(new Execution(stored).request(service.resource(emulator)));
	expect(text).toBe('OK');
});
