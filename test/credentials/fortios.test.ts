/* eslint-disable @n8n/community-nodes/no-deprecated-workflow-functions, @n8n/community-nodes/no-restricted-globals -- test and tool code runs in Node, not inside n8n: n8n's legacy request options, Node globals are its to use */
/**
 * The FortiGate (FortiOS) credential beyond its row in the shared tables (test/support/services.ts,
 * a 7.4 session key): API keys, cookie sessions with their CSRF token, the legacy /logincheck,
 * idle-out, logouts from outside, the lockout, 2FA and the session cap, and the Fortinet Token
 * node's Get / Refresh / Revoke. Through n8n-core's real requestWithAuthentication against the
 * emulated FortiGate over HTTPS; what the appliance saw is asserted with every answer.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters, IRequestOptions } from 'n8n-workflow';

import { FortiOsApi } from '../../credentials/FortiOsApi.credentials';
import { configureEngine } from '../../credentials/engine';
import { sessionHeaders } from '../../credentials/engine/protocols/fortiOs';
import { clearTokenCache } from '../../credentials/engine/testing';
import { userCounters } from '../emulator';
import { DEFAULT_FORTIOS_SETTINGS } from '../emulator/fgt';
import type { FortiOsFirmware, FortiOsSettings } from '../emulator/fgt';
import { runNode } from '../node/context';
import { useEmulator } from '../support/emulator';
import { errorOf, shown } from '../support/errors';
import { Execution, n8nHelpers, StoredCredential } from '../support/n8n';
import { sleep } from '../support/time';

const emulator = useEmulator({ settings: { peerWaitMs: 0 } });

let counter = 0;
interface Admin {
	username: string;
	password: string;
	apiCredential: string;
}

function newAdmin(): Admin {
	counter++;
	const admin = { username: `fgt-admin-${process.pid}-${counter}`, password: `pw-${counter}-${Math.random().toString(36).slice(2)}`, apiCredential: `key${counter}${Math.random().toString(36).slice(2)}xxxxxxxxxxxxxxxx` };
	emulator.control.addUser('fgt', admin);
	return admin;
}

function configure(patch: Partial<FortiOsSettings>): void {
	emulator.control.configureFortiOs(patch);
}

afterEach(() => configure({ ...DEFAULT_FORTIOS_SETTINGS, trustedHosts: [], twoFactorUsers: [] }));

const url = (path: string): string => `${emulator.urls.fgt}${path}`;
const addresses = (): IRequestOptions => ({ uri: url('/api/v2/cmdb/firewall/address'), method: 'GET', json: true });
const newAddress = (name: string): IRequestOptions => ({ uri: url('/api/v2/cmdb/firewall/address'), method: 'POST', body: { name, subnet: '192.0.2.1 255.255.255.255' }, json: true });
const seen = (admin: Admin) => userCounters(emulator.control.stats(), 'fgt', admin.username);
const open = (admin: Admin) => emulator.control.openSessions('fgt', admin.username);

function credential(admin: Admin, extra: ICredentialDataDecryptedObject = {}): StoredCredential {
	return new StoredCredential(new FortiOsApi(), { baseUrl: emulator.urls.fgt, authentication: 'session', username: admin.username, password: admin.password, caCertificate: emulator.caCertificate, ...extra });
}

function keyCredential(admin: Admin, extra: ICredentialDataDecryptedObject = {}): StoredCredential {
	return new StoredCredential(new FortiOsApi(), { baseUrl: emulator.urls.fgt, apiKey: admin.apiCredential, caCertificate: emulator.caCertificate, ...extra });
}

async function node(stored: StoredCredential, operation: string, options: INodeParameters = {}): Promise<IDataObject> {
	const output = await runNode({ parameters: { service: 'fortiOsApi', operation, options }, credentials: { fortiOsApi: stored.load() } });
	return output[0].json;
}

async function many(stored: StoredCredential, count: number, request = addresses()): Promise<PromiseSettledResult<unknown>[]> {
	return await Promise.allSettled(Array.from({ length: count }, async () => await new Execution(stored).request(request)));
}

const failed = (results: PromiseSettledResult<unknown>[]) => results.filter((result) => result.status === 'rejected');

describe('API key', () => {
	test('goes as a Bearer header, never in the URL: a key the user put in the query is dropped; the Default VDOM fills in', async () => {
		const admin = newAdmin();
		const stored = keyCredential(admin, { vdom: 'customer-a' });
		const answer = (await new Execution(stored).request({ ...addresses(), qs: { access_token: admin.apiCredential } })) as { vdom: string };
		expect(answer.vdom).toBe('customer-a');
		const own = (await new Execution(stored).request({ uri: `${url('/api/v2/monitor/system/status')}?vdom=root&access_token=${admin.apiCredential}`, method: 'GET', json: true })) as { vdom: string };
		expect(own.vdom).toBe('root');
		expect(seen(admin)).toMatchObject({ logins: 0, apiAccepted: 2, apiRejected: 0 });
		expect(seen(admin).authorizations).toEqual([`Bearer ${admin.apiCredential}`, `Bearer ${admin.apiCredential}`]);
		expect(emulator.control.stats().fgt.authorizations).not.toContain('query access_token');
	});

	test('a key from outside its trusted hosts: a clear error naming the fix, no key in it; a 404 stays the API\'s 404', async () => {
		const admin = newAdmin();
		const stored = keyCredential(admin);
		const missing = await errorOf(new Execution(stored).request({ uri: url('/api/v2/cmdb/firewall/address/no-such-object'), method: 'GET', json: true }));
		expect(shown(missing)).toMatch(/404/);
		expect(shown(missing)).not.toMatch(/API key/);
		configure({ trustedHosts: ['192.0.2.10'] });
		const refused = await errorOf(new Execution(stored).request(addresses()));
		expect(shown(refused)).toMatch(/FortiGate rejected the API key: check the credential's API Key, and that n8n's address is among the REST API administrator's trusted hosts/);
		expect(shown(refused)).not.toContain(admin.apiCredential);
	});

	test('the node: Get outputs nothing secret, Refresh and Revoke say what the administrator does instead', async () => {
		const admin = newAdmin();
		const stored = keyCredential(admin);
		const got = await node(stored, 'getToken');
		expect(got).toMatchObject({ service: 'FortiGate (FortiOS)', tokenType: 'apiKey', expiresAt: null, fromCache: true });
		expect(JSON.stringify(got)).not.toContain(admin.apiCredential);
		await expect(node(stored, 'refreshToken')).rejects.toThrow(/API key cannot be refreshed/);
		expect((await node(stored, 'revokeToken')).message).toMatch(/regenerates it/);
		expect(seen(admin).logins).toBe(0);
	});
});

describe.each(['7.4', '7.6.4', '6.2'] as FortiOsFirmware[])('session on FortiOS %s', (firmware) => {
	beforeEach(() => configure({ firmware }));

	test('50 concurrent executions: 1 login, 1 open session; a write carries the CSRF token', async () => {
		const admin = newAdmin();
		const stored = credential(admin);
		expect(failed(await many(stored, 50))).toEqual([]);
		const created = (await new Execution(stored).request(newAddress(`n8n-${firmware}`))) as { status: string };
		expect(created.status).toBe('success');
		expect(seen(admin)).toMatchObject({ logins: 1, apiAccepted: 51, apiRejected: 0 });
		expect(open(admin)).toBe(1);
		const carried = seen(admin).authorizations;
		expect(new Set(carried).size).toBe(1);
		expect(carried[0]).toMatch(firmware === '7.4' ? /^Bearer / : firmware === '6.2' ? /^Cookie APSCOOKIE_/ : /^Cookie session_key_/);
	});

	test('idle-out, a logout from the GUI, an appliance restart: 0 failed executions, one new session each time', async () => {
		const admin = newAdmin();
		const stored = credential(admin);
		await new Execution(stored).request(addresses());
		const kills = [() => emulator.control.expireAll('fgt'), () => logOutFromOutside(stored), () => emulator.control.revokeAll('fgt')];
		for (const [index, kill] of kills.entries()) {
			await kill();
			expect(failed(await many(stored, 10))).toEqual([]);
			expect(seen(admin).logins).toBe(index + 2);
			expect(open(admin)).toBe(1);
		}
		expect(seen(admin).refreshes).toBe(0);
	});

	test('the node: Get outputs the session, its headers and expiry; Refresh opens a new one and logs the old out; Revoke logs out', async () => {
		const admin = newAdmin();
		const stored = credential(admin);
		const got = await node(stored, 'getToken');
		expect(got).toMatchObject({ service: 'FortiGate (FortiOS)', fromCache: false });
		expect(Number(got.expiresIn)).toBeGreaterThan(250);
		const headers = got.headers as Record<string, string>;
		if (firmware === '7.4') expect(headers).toEqual({ Authorization: `Bearer ${String(got.session)}` });
		else expect(headers).toEqual({ Cookie: got.session, 'X-CSRFTOKEN': expect.stringMatching(/^[a-z0-9]{32}$/i) as unknown as string });
		await new Execution(stored).request(addresses());
		expect(seen(admin).logins).toBe(1);
		const refreshed = await node(stored, 'refreshToken');
		expect(refreshed.session).not.toBe(got.session);
		expect(open(admin)).toBe(1);
		expect(await node(stored, 'revokeToken')).toMatchObject({ revoked: true, hadToken: true });
		expect(open(admin)).toBe(0);
		expect(seen(admin).revokes).toBe(2);
		await new Execution(stored).request(addresses());
		expect(seen(admin).logins).toBe(3);
	});
});

/** An administrator ends the session in the GUI (System > Administrators > disconnect). */
async function logOutFromOutside(stored: StoredCredential): Promise<void> {
	const session = String(stored.data.sessionToken);
	const legacy = session.startsWith('APSCOOKIE_');
	const headers = sessionHeaders(session, true);
	await n8nHelpers.request?.({ uri: url(legacy ? '/logout' : '/api/v2/authentication'), method: legacy ? 'GET' : 'DELETE', headers, agentOptions: { ca: emulator.caCertificate } });
}

describe('session', () => {
	test('the user\'s own Cookie header is kept beside the session cookies; a user cookie or CSRF header of the same name gives way', async () => {
		configure({ firmware: '7.6.4' });
		const admin = newAdmin();
		const stored = credential(admin);
		await new Execution(stored).request(addresses());
		const options = await new FortiOsApi().authenticate(stored.load(), { url: url('/api/v2/cmdb/firewall/address'), method: 'POST', headers: { cookie: 'lang=en', 'x-csrftoken': 'forged' } }) as { headers: Record<string, string> };
		const session = String(stored.data.sessionToken);
		expect(options.headers.Cookie).toBe(`lang=en; ${session}`);
		expect(options.headers).not.toHaveProperty('cookie');
		expect(options.headers).not.toHaveProperty('x-csrftoken');
		expect(options.headers['X-CSRFTOKEN']).toMatch(/^[a-z0-9]{32}$/i);
		// A user cookie named like the session's gives way: the appliance sees one session cookie, ours.
		const [name] = session.split('=');
		const forged = await new FortiOsApi().authenticate(stored.load(), { url: url('/api/v2/cmdb/firewall/address'), method: 'GET', headers: { Cookie: `${name}=forged; lang=en` } }) as { headers: Record<string, string> };
		expect(forged.headers.Cookie).toBe(`lang=en; ${session}`);
		const created = (await new Execution(stored).request({ ...newAddress('with-cookie'), headers: { Cookie: 'lang=en' } })) as { status: string };
		expect(created.status).toBe('success');
		expect(seen(admin)).toMatchObject({ logins: 1, apiRejected: 0 });
	});

	test('restarts and other processes reuse the stored session: no second login', async () => {
		const admin = newAdmin();
		const stored = credential(admin);
		await new Execution(stored).request(addresses());
		clearTokenCache();
		await new Execution(stored).request(addresses());
		expect(seen(admin)).toMatchObject({ logins: 1, apiAccepted: 2, apiRejected: 0 });
		expect(open(admin)).toBe(1);
	});

	test('a keepalive that fails near the idle end falls back to a login; the execution succeeds', async () => {
		const admin = newAdmin();
		const stored = credential(admin);
		await new Execution(stored).request(addresses());
		nearIdleEnd(stored);
		emulator.control.injectFault({ service: 'fgt', endpoint: 'refresh', count: 1, fault: { type: 'status', status: 500 } });
		await new Execution(stored).request(addresses());
		expect(seen(admin)).toMatchObject({ logins: 2, apiRejected: 0, revokes: 1 });
		// The replaced session, still alive, was logged out: no admin slot left taken.
		expect(open(admin)).toBe(1);
		// n8n stores what preAuthentication returned: the new session, good for the admin timeout.
		expect(Date.parse(String(stored.data.expiresAt))).toBeGreaterThan(Date.now() + 250_000);
	});

	test('an API 500 whose check fails too: one new session, the replaced one logged out', async () => {
		const admin = newAdmin();
		const stored = credential(admin);
		await new Execution(stored).request(addresses());
		// The call and the engine's check of its session both answer 500: the session may be dead.
		emulator.control.injectFault({ service: 'fgt', endpoint: 'resource', count: 2, fault: { type: 'status', status: 500 } });
		await new Execution(stored).request(addresses());
		expect(seen(admin)).toMatchObject({ logins: 2, revokes: 1 });
		expect(open(admin)).toBe(1);
	});

	test('Force New Login opens a new session and logs the replaced one out', async () => {
		const admin = newAdmin();
		const stored = credential(admin);
		await new Execution(stored).request(addresses());
		const before = String(stored.data.sessionToken);
		const got = await node(stored, 'getToken', { forceNewLogin: true });
		expect(got.session).not.toBe(before);
		expect(seen(admin)).toMatchObject({ logins: 2, revokes: 1 });
		expect(open(admin)).toBe(1);
	});

	/** A stored session logged in 290 s ago: its idle end (as far as n8n knows) is in 10 s. */
	function nearIdleEnd(stored: StoredCredential): void {
		stored.data.issuedAt = new Date(Date.now() - 290_000).toISOString();
		stored.data.expiresAt = new Date(Date.now() + 10_000).toISOString();
		clearTokenCache();
	}

	test.each([
		['a connection reset', { type: 'reset' as const }],
		['a 429 asking to wait two minutes', { type: 'rateLimit' as const, retryAfter: 120 }],
	])('a keepalive answered with %s near the idle end: the still-valid session serves, no login, no second keepalive', async (_, fault) => {
		const admin = newAdmin();
		const stored = credential(admin);
		await new Execution(stored).request(addresses());
		nearIdleEnd(stored);
		emulator.control.injectFault({ service: 'fgt', endpoint: 'refresh', count: 1, fault });
		expect(failed(await many(stored, 10))).toEqual([]);
		// The fault took the one keepalive; a second would have succeeded (and been counted).
		expect(seen(admin)).toMatchObject({ logins: 1, refreshes: 0, apiAccepted: 11, apiRejected: 0 });
		expect(open(admin)).toBe(1);
		expect(failed(await many(stored, 5))).toEqual([]);
		expect(seen(admin)).toMatchObject({ logins: 1, refreshes: 0, apiRejected: 0 });
	});

	test('20 concurrent executions near the idle end share one keepalive, slow as it is', async () => {
		const admin = newAdmin();
		const stored = credential(admin);
		await new Execution(stored).request(addresses());
		nearIdleEnd(stored);
		const session = String(stored.data.sessionToken);
		emulator.control.injectFault({ service: 'fgt', endpoint: 'refresh', count: 1, fault: { type: 'delay', ms: 1500 } });
		expect(failed(await many(stored, 20))).toEqual([]);
		expect(seen(admin)).toMatchObject({ logins: 1, refreshes: 1, apiAccepted: 21, apiRejected: 0 });
		// The same session, its idle time started over: n8n stores the new end.
		expect(stored.data.sessionToken).toBe(session);
		expect(Date.parse(String(stored.data.expiresAt))).toBeGreaterThan(Date.now() + 250_000);
	});

	test('a wrong password costs one failed login however many executions run: the lockout (3) is never reached', async () => {
		const admin = newAdmin();
		const wrong = credential(admin, { password: 'definitely-wrong' });
		const results = failed(await many(wrong, 20));
		expect(results).toHaveLength(20);
		for (const result of results) {
			const text = shown((result as PromiseRejectedResult).reason as Error);
			expect(text).toMatch(/FortiGate \(FortiOS\) rejected the credentials \(LOGIN_FAILED\)/);
			expect(text).not.toContain('definitely-wrong');
		}
		expect(emulator.control.stats().fgt.failedLogins).toBe(1);
		// Long after other services' refusal memory (here 50 ms) ends, the password is not tried again.
		configureEngine({ refusedLoginMemoryMs: 50 });
		await sleep(120);
		for (let wave = 0; wave < 3; wave++) expect(failed(await many(wrong, 5))).toHaveLength(5);
		expect(emulator.control.stats().fgt.failedLogins).toBe(1);
		expect(emulator.control.stats().fgt.rateLimited).toBe(0);
		clearTokenCache(); // the password fixed (a new identity) logs in at once
		await new Execution(credential(admin)).request(addresses());
		expect(seen(admin).logins).toBe(1);
	});

	test('a two-factor administrator: a clear error saying what to change, one attempt however many executions run', async () => {
		const admin = newAdmin();
		configure({ twoFactorUsers: [admin.username] });
		const stored = credential(admin);
		const errors: string[] = [];
		// Each attempt could send the administrator a FortiToken code: one for all, then none.
		for (let i = 0; i < 5; i++) errors.push(shown(await errorOf(new Execution(stored).request(addresses()))));
		for (const text of errors) expect(text).toMatch(/asks this administrator for a two-factor token code.*Use Authentication: API Key/);
		expect(seen(admin)).toMatchObject({ failedLogins: 1, logins: 0 });
	});

	test.each([
		['a password change it requires', { status_code: 4, status_message: 'LOGIN_CHANGE_PWD_NEEDED' }, /requires this administrator to change the password.*update the credential's Password/],
		['a banner it still asks to accept', { status_code: 3, status_message: 'LOGIN_ACCEPT_POST_LOGIN_DISCLAIMER' }, /asks to accept a login disclaimer.*banners/],
	])('%s: a clear error saying what to change, asked once however many executions run', async (_, answer, message) => {
		const admin = newAdmin();
		const stored = credential(admin);
		// One such answer: a second login attempt would succeed and be counted.
		emulator.control.injectFault({ service: 'fgt', endpoint: 'token', count: 1, fault: { type: 'status', status: 200, body: JSON.stringify(answer), contentType: 'application/json' } });
		for (let i = 0; i < 4; i++) expect(shown(await errorOf(new Execution(stored).request(addresses())))).toMatch(message);
		expect(seen(admin).logins).toBe(0);
	});

	test('wrong passwords, Force New Login and new credentials together never reach the lockout (3)', async () => {
		const admin = newAdmin();
		const wrong = (password: string) => credential(admin, { password });
		for (const password of ['wrong-1', 'wrong-2']) await errorOf(new Execution(wrong(password)).request(addresses()));
		// A third password, and Force New Login on the first: n8n stops short of the third failure.
		const third = shown(await errorOf(new Execution(wrong('wrong-3')).request(addresses())));
		const forced = shown(await errorOf(node(wrong('wrong-1'), 'getToken', { forceNewLogin: true })));
		for (const text of [third, forced]) expect(text).toMatch(/one more failure would lock n8n's address out \(admin-lockout-threshold\).*try again in \d+ s/);
		expect(seen(admin).failedLogins).toBe(2);
		// The right password too waits for the lockout's duration (60 s) after the last failure:
		// FortiOS would count one more failure against the same address.
		expect(shown(await errorOf(new Execution(credential(admin)).request(addresses())))).toMatch(/one more failure would lock/);
		expect(seen(admin)).toMatchObject({ logins: 0, failedLogins: 2 });
		expect(emulator.control.stats().fgt.rateLimited).toBe(0);
		// A restarted process starts afresh: the right password logs in and clears the count.
		clearTokenCache();
		await new Execution(credential(admin)).request(addresses());
		expect(seen(admin).logins).toBe(1);
	});

	test('login banners are accepted up front; the session cap is said plainly', async () => {
		const admin = newAdmin();
		configure({ preDisclaimer: true, postDisclaimer: true });
		await new Execution(credential(admin)).request(addresses());
		expect(seen(admin).logins).toBe(1);
		configure({ maxSessions: 1 });
		const other = newAdmin();
		const text = shown(await errorOf(new Execution(credential(other)).request(addresses())));
		expect(text).toMatch(/FortiGate \(FortiOS\) has no free administrator session \(admin-login-max\)/);
		expect(seen(other).logins).toBe(0);
	});

	test('the session never goes to another host', async () => {
		const admin = newAdmin();
		const stored = credential(admin);
		await new Execution(stored).request(addresses());
		const text = shown(await errorOf(new Execution(stored).request({ uri: 'https://198.51.100.7/api/v2/cmdb/firewall/address', method: 'GET', json: true })));
		expect(text).toMatch(/The FortiGate \(FortiOS\) session is only sent to the credential's own URL/);
		expect(text).not.toContain(String(stored.data.sessionToken));
	});
});
