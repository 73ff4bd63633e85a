/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: emulator fixtures, Node's modules are its to use */
/**
 * FortiManager / FortiAnalyzer JSON-RPC sessions through n8n's real request path (n8n-core's
 * requestWithAuthentication and request helpers) against the emulator over real HTTP(S). A dead
 * session is answered HTTP 200 with code -11, which n8n never retries: what the emulator rejected
 * (`apiRejected`) is asserted with every outcome.
 */
import * as http from 'node:http';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { getToken, renewToken, revokeToken, SERVICES, testCredential } from '../../credentials/engine';
import { clearTokenCache } from '../../credentials/engine/testing';
import { userCounters } from '../emulator';
import { errorOf, shown } from '../support/errors';
import { Execution, n8nHelpers, StoredCredential } from '../support/n8n';
import { jsonRpcRequest, rpcCode, secretsOf, SESSION_CASES } from '../support/services';
import type { SessionCase, TestUser } from '../support/services';
import { sleep } from '../support/time';
import { useEmulator } from '../support/emulator';

// One process: no other process to wait for.
const emulator = useEmulator({ settings: { peerWaitMs: 0 } });

const codeOf = rpcCode;

describe.each(SESSION_CASES)('$type', (service: SessionCase) => {
	let user: TestUser;
	let stored: StoredCredential;
	const described = SERVICES[service.type];
	const at = (statsService: SessionCase['emulated'] | 'iam' = service.emulated) => {
		const key = statsService === 'iam' ? `${user.username}/${service.clientId}` : user.username;
		return userCounters(emulator.control.stats(), statsService, key);
	};
	const call = async (credential = stored) => await new Execution(credential).request(jsonRpcRequest(service.url(emulator)));
	const fresh = (extra: ICredentialDataDecryptedObject = {}) => new StoredCredential(service.credential(), service.data(emulator, user, extra));

	beforeEach(() => {
		user = service.newUser(emulator);
		stored = fresh();
	});

	test('50 concurrent executions: 1 login, 1 session, every call answered code 0, the session in every body', async () => {
		const answers = await Promise.all(Array.from({ length: 50 }, async () => await call()));
		expect(answers.map(codeOf)).toEqual(Array(50).fill(0));
		expect(at().logins).toBe(1);
		if (service.clientId) expect(at('iam').logins).toBe(1);
		expect(emulator.control.openSessions(service.emulated, user.username)).toBe(1);
		const session = emulator.control.activeToken(service.emulated, user.username);
		// FortiSandbox's check after the login is a read with the session too.
		expect(at().authorizations).toEqual(Array(service.checkedAtApi ? 51 : 50).fill(`session ${session}`));
		expect(at().apiRejected).toBe(0);
		expect(stored.data.sessionToken).toBe(session);
	});

	test('only JSON-RPC bodies to the credential’s own host get the session; a session in the body is replaced', async () => {
		await call();
		const session = stored.data.sessionToken as string;
		const type = service.credential();
		const url = `${service.url(emulator)}/jsonrpc`;
		const authenticate = type.authenticate as unknown as (c: ICredentialDataDecryptedObject, r: object) => Promise<{ body?: unknown; headers?: Record<string, string> }>;
		const credentials = stored.load();
		const rpc = await authenticate(credentials, { url, method: 'POST', body: { id: 1, method: 'get', params: [{ url: '/sys/status' }], session: 'old' } });
		expect(rpc.body).toMatchObject({ session });
		// The body carries the session: n8n must not resend it to a redirect's Location.
		expect(rpc).toMatchObject({ disableFollowRedirect: true, followRedirect: false, followAllRedirects: false, maxRedirects: 0 });
		const text = await authenticate(credentials, { url, method: 'POST', body: JSON.stringify({ id: 1, method: 'get', params: [] }) });
		expect(JSON.parse(text.body as string)).toMatchObject({ session });
		const notRpc = await authenticate(credentials, { url: `${service.url(emulator)}/other`, method: 'POST', body: { hello: 'world' } });
		expect(JSON.stringify(notRpc)).not.toContain(session);
		const error = await errorOf(authenticate(credentials, { url: 'https://attacker.example.com/jsonrpc', method: 'POST', body: { id: 1, method: 'get', params: [] } }));
		expect(error.message).toMatch(/session is only sent to the credential's own URL; https:\/\/attacker.example.com is not it/);
		expect(error.message).not.toContain(session);
		// Through n8n: the refused request never leaves.
		const before = emulator.control.stats()[service.emulated].authorizations.length;
		await expect(new Execution(stored).request({ ...jsonRpcRequest('http://127.0.0.2:9'), uri: 'http://127.0.0.2:9/jsonrpc' })).rejects.toThrow(/own URL/);
		expect(emulator.control.stats()[service.emulated].authorizations.length).toBe(before);
	});

	test('a restart reuses the stored session: one check, no login', async () => {
		await call();
		clearTokenCache();
		const answers = await Promise.all(Array.from({ length: 10 }, async () => await call()));
		expect(answers.map(codeOf)).toEqual(Array(10).fill(0));
		expect(at().logins).toBe(1);
		// One check after the login (its lifetime), one after the restart; FortiSandbox's are reads.
		if (service.checkedAtApi) expect(at().apiAccepted).toBe(1 + 10 + 2);
		else expect(at().tokenChecks).toBe(2);
		expect(at().apiRejected).toBe(0);
	});

	test('a session killed from outside is noticed at the next check: with an interval of 0, no call ever gets -11', async () => {
		stored = fresh({ sessionCheckSeconds: 0 });
		await call();
		emulator.control.expireAll(service.emulated);
		const answers = await Promise.all(Array.from({ length: 20 }, async () => await call()));
		expect(answers.map(codeOf)).toEqual(Array(20).fill(0));
		// FortiSandbox: the one check that found it dead is a read the appliance refused.
		expect(at().apiRejected).toBe(service.checkedAtApi ? 1 : 0);
		expect(emulator.control.openSessions(service.emulated, user.username)).toBe(1);
		if (service.clientId) {
			// Re-established with the IAM refresh token: a refresh, no second IAM login.
			expect([at('iam').logins, at('iam').refreshes, at().logins]).toEqual([1, 1, 2]);
		} else {
			expect(at().logins).toBe(2);
		}
	});

	test('the bound of the default: within the interval a killed session answers -11 (HTTP 200); after it, the next call re-establishes', async () => {
		stored = fresh({ sessionCheckSeconds: 1 });
		await call();
		emulator.control.expireAll(service.emulated);
		expect(codeOf(await call())).toBe(-11);
		await sleep(1100);
		expect(codeOf(await call())).toBe(0);
		expect(at().apiRejected).toBe(service.checkedAtApi ? 2 : 1);
	});

	// FortiSandbox reports no time left: within the check interval its bound is the test above.
	if (!service.checkedAtApi) test('idle expiry: the reported time_left makes the engine check ahead, and renew without a rejected call', async () => {
		emulator.control.setLifetime(service.emulated, 2);
		try {
			await call();
			await sleep(2100);
			expect(codeOf(await call())).toBe(0);
			expect(at().apiRejected).toBe(0);
			expect(at().logins).toBe(2);
			const { token } = await getToken(described, stored.load(), n8nHelpers);
			expect(token.expiresAt).toBeGreaterThan(Date.now() + 1000);
		} finally {
			emulator.control.setLifetime(service.emulated, 300);
		}
	});

	test('a wrong password: one refused login for many calls, a clear message, no secret', async () => {
		stored = fresh({ password: 'wrong-password-123' });
		const errors = await Promise.all(Array.from({ length: 5 }, async () => await errorOf(call())));
		const failed = service.clientId ? at('iam').failedLogins : at().failedLogins;
		expect(failed).toBe(1);
		for (const error of errors) {
			expect(shown(error)).toMatch(new RegExp(`${service.label}.*(refused|rejected)`));
			for (const secret of [...secretsOf(user), 'wrong-password-123']) expect(shown(error)).not.toContain(secret);
		}
	});

	test('Get, Refresh and Revoke: the session with its expiry; a new one with the old logged out; a logout', async () => {
		const got = await getToken(described, stored.load(), n8nHelpers);
		expect(got.token.tokenType).toBe('session');
		expect(got.token.accessToken).toBe(emulator.control.activeToken(service.emulated, user.username));
		if (service.checkedAtApi) expect(got.token.expiresAt).toBeNull(); // no lifetime reported: checked by interval
		else expect(got.token.expiresAt).toBeGreaterThan(Date.now() + 200_000);
		expect(codeOf(await call())).toBe(0);
		expect(at().logins).toBe(1);

		const renewed = await renewToken(described, stored.load(), n8nHelpers);
		expect(renewed.accessToken).not.toBe(got.token.accessToken);
		expect(emulator.control.openSessions(service.emulated, user.username)).toBe(1);
		expect(at().revokes).toBe(1);
		if (service.clientId) expect([at('iam').logins, at('iam').refreshes]).toEqual([1, 1]);

		const revoked = await revokeToken(described, stored.load(), n8nHelpers);
		expect(revoked).toMatchObject({ revokedAtService: true, hadToken: true });
		expect(revoked.message).not.toContain(renewed.accessToken);
		expect(emulator.control.openSessions(service.emulated, user.username)).toBe(0);
		expect(at().revokes).toBe(2);
		if (service.clientId) expect(at('iam').revokes).toBeGreaterThanOrEqual(1);

		// The next call logs in again, although the execution still carries the logged-out session.
		expect(codeOf(await call())).toBe(0);
		expect(at().logins).toBe(3);
		expect(at().apiRejected).toBe(0);
	});

	test('the credential Test confirms a live session without a login', async () => {
		await call();
		expect(await testCredential(described, stored.load(), n8nHelpers)).toMatchObject({ status: 'OK' });
		expect(at().logins).toBe(1);
	});

	test('editing the user or password never sends the previous identity’s session', async () => {
		await call();
		const old = stored.data.sessionToken as string;
		const other = service.newUser(emulator);
		stored.data = { ...stored.data, ...service.data(emulator, other) };
		expect(codeOf(await call())).toBe(0);
		expect(stored.data.sessionToken).not.toBe(old);
		const seen = emulator.control.stats()[service.emulated].users[other.username].authorizations;
		expect(seen).not.toContain(`session ${old}`);
	});
});

describe('on-premises only', () => {
	const service = SESSION_CASES[0];
	const described = SERVICES.fortiManagerApi;

	test('API-key mode: Bearer key, no session, no login', async () => {
		const user = service.newUser(emulator);
		const stored = new StoredCredential(service.credential(), service.data(emulator, user, { authMethod: 'apiKey', apiKey: user.apiCredential ?? '' }));
		expect(codeOf(await new Execution(stored).request(jsonRpcRequest(emulator.urls.fmg)))).toBe(0);
		const seen = userCounters(emulator.control.stats(), 'fmg', user.username);
		expect(seen.authorizations).toEqual([`Bearer ${user.apiCredential}`]);
		expect(seen.logins).toBe(0);
		const refresh = await errorOf(renewToken(described, stored.load(), n8nHelpers));
		expect(refresh.message).toMatch(/API key cannot be refreshed/);
		expect((await revokeToken(described, stored.load(), n8nHelpers)).message).toMatch(/administrator deletes or regenerates it/);
	});

	test('TLS is verified by default: without the CA, a clear error and no login; Ignore SSL Issues works for this host', async () => {
		const user = service.newUser(emulator);
		const plain = new StoredCredential(service.credential(), service.data(emulator, user, { caCertificate: '' }));
		const error = await errorOf(new Execution(plain).request(jsonRpcRequest(emulator.urls.fmg)));
		expect(shown(error)).toMatch(/TLS certificate that is not trusted/);
		expect(userCounters(emulator.control.stats(), 'fmg', user.username).logins).toBe(0);
		const insecure = new StoredCredential(service.credential(), service.data(emulator, user, { caCertificate: '', ignoreSSLIssues: true }));
		expect(codeOf(await new Execution(insecure).request(jsonRpcRequest(emulator.urls.fmg)))).toBe(0);
	});

	test('the appliance redirecting a JSON-RPC call: not followed, the other host never sees the body with the session', async () => {
		const seen: string[] = [];
		const other = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				seen.push(body);
				res.end('{}');
			});
		});
		await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
		try {
			const user = service.newUser(emulator);
			const stored = new StoredCredential(service.credential(), service.data(emulator, user));
			expect(codeOf(await new Execution(stored).request(jsonRpcRequest(emulator.urls.fmg)))).toBe(0);
			const { port } = other.address() as { port: number };
			// Both n8n's request and its resend (after any failure) are redirected.
			emulator.control.injectFault({ service: 'fmg', endpoint: 'resource', count: 2, fault: { type: 'redirect', status: 307, location: `http://127.0.0.1:${port}/jsonrpc` } });
			// As the HTTP Request node sends it with "Follow Redirects" on for every method. (The n8n-core
			// in this repository does not follow it either; the options asserted above are our own guard.)
			const following = { ...jsonRpcRequest(emulator.urls.fmg), followRedirect: true, followAllRedirects: true, maxRedirects: 5 };
			const error = await errorOf(new Execution(stored).request(following));
			expect(shown(error)).toMatch(/307/);
			expect(seen).toEqual([]);
		} finally {
			await new Promise<void>((resolve) => other.close(() => resolve()));
		}
	});

	test('a Check Session After that is not a number of seconds is named in the error', async () => {
		const user = service.newUser(emulator);
		const stored = new StoredCredential(service.credential(), service.data(emulator, user, { sessionCheckSeconds: -5 }));
		await expect(new Execution(stored).request(jsonRpcRequest(emulator.urls.fmg))).rejects.toThrow(/"Check Session After \(Seconds\)"/);
	});
});
