import type { AxiosResponse } from 'axios';
import type { Emulator } from './index';
import { client, DEMO_ACCOUNTS, emulator, form, sleep } from './helpers';

let emu: Emulator;
let http: ReturnType<typeof client>;
const admin = DEMO_ACCOUNTS.fgt;

beforeAll(async () => {
	emu = await emulator();
	http = client(emu.caCertificate);
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => emu.control.reset());

const url = (path: string) => `${emu.urls.fgt}${path}`;
const login = (body: Record<string, unknown> = {}) =>
	http.post(url('/api/v2/authentication'), {
		username: admin.username,
		secretkey: admin.password,
		password: admin.password,
		ack_pre_disclaimer: true,
		ack_post_disclaimer: true,
		request_key: true,
		...body,
	});
const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
const status = (config: object = {}) => http.get(url('/api/v2/monitor/system/status'), config);
const open = () => emu.control.openSessions('fgt', admin.username);

/** The session and CSRF cookies a login set, as a Cookie header and the CSRF header's value. */
function cookieSession(response: AxiosResponse): { cookie: string; csrf: string; names: string[] } {
	const set = (response.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]);
	const csrfCookie = set.find((pair) => /^(ccsrf_token|ccsrftoken)/.test(pair)) ?? '';
	return { cookie: set.join('; '), csrf: csrfCookie.slice(csrfCookie.indexOf('=') + 1).replace(/^"|"$/g, ''), names: set.map((pair) => pair.split('=')[0]) };
}

describe('FortiGate REST API keys', () => {
	test('a key as Bearer reads the status; the same key in ?access_token= gets 401 (7.4.5+ default)', async () => {
		const ok = await status(bearer(admin.apiCredential));
		expect([ok.status, ok.data.status, ok.data.results.admin]).toEqual([200, 'success', admin.username]);
		const inQuery = await http.get(url(`/api/v2/monitor/system/status?access_token=${admin.apiCredential}`));
		expect(inQuery.status).toBe(401);
		emu.control.configureFortiOs({ keyInQuery: true });
		expect((await http.get(url(`/api/v2/monitor/system/status?access_token=${admin.apiCredential}`))).status).toBe(200);
		const stats = emu.control.stats().fgt;
		expect([stats.apiAccepted, stats.apiRejected]).toEqual([2, 1]);
		expect(stats.authorizations).toEqual([`Bearer ${admin.apiCredential}`, 'query access_token', 'query access_token']);
	});

	test('a wrong key, and a right key from outside the trusted hosts, get 401', async () => {
		expect((await status(bearer('not-a-key'))).status).toBe(401);
		emu.control.configureFortiOs({ trustedHosts: ['192.0.2.10'] });
		expect((await status(bearer(admin.apiCredential))).status).toBe(401);
		emu.control.configureFortiOs({ trustedHosts: ['192.0.2.10', '127.0.0.1'] });
		expect((await status(bearer(admin.apiCredential))).status).toBe(200);
	});

	test('?vdom= selects a VDOM; an unknown one is 404; a key never opens a session', async () => {
		const vdom = await http.get(url('/api/v2/cmdb/firewall/address?vdom=customer-a'), bearer(admin.apiCredential));
		expect([vdom.status, vdom.data.vdom]).toEqual([200, 'customer-a']);
		expect((await http.get(url('/api/v2/cmdb/firewall/address?vdom=nope'), bearer(admin.apiCredential))).status).toBe(404);
		expect(open()).toBe(0);
	});
});

describe('FortiGate sessions from /api/v2/authentication', () => {
	test('request_key → session_key (sent as Bearer, no CSRF needed for writes); DELETE logs it out', async () => {
		const l = await login();
		expect([l.status, l.data.status_code, l.data.status_message, l.data.session_key_timeout]).toEqual([200, 5, 'LOGIN_SUCCESS', '5']);
		const key = l.data.session_key as string;
		expect(l.headers['set-cookie']).toBeUndefined();
		expect((await status(bearer(key))).status).toBe(200);
		const write = await http.post(url('/api/v2/cmdb/firewall/address'), { name: 'n8n-host', subnet: '192.0.2.1 255.255.255.255' }, bearer(key));
		expect([write.status, write.data.results.mkey]).toEqual([200, 'n8n-host']);
		expect(open()).toBe(1);
		const out = await http.delete(url('/api/v2/authentication'), bearer(key));
		expect(out.status).toBe(200);
		expect(open()).toBe(0);
		expect((await status(bearer(key))).status).toBe(401);
		const stats = emu.control.stats().fgt;
		expect([stats.logins, stats.revokes, stats.apiAccepted, stats.apiRejected]).toEqual([1, 1, 2, 1]);
	});

	test('without request_key (and always on 7.6.4) the session is in cookies, and writes need X-CSRFTOKEN', async () => {
		for (const [firmware, body] of [['7.4', { request_key: false }], ['7.6.4', {}]] as const) {
			emu.control.configureFortiOs({ firmware });
			const l = await login(body);
			expect([firmware, l.data.status_code, l.data.session_key]).toEqual([firmware, 5, undefined]);
			const { cookie, csrf, names } = cookieSession(l);
			expect(names).toEqual([expect.stringMatching(/^session_key_\d+_[0-9a-f]+$/), expect.stringMatching(/^ccsrf_token_\d+_[0-9a-f]+$/)]);
			expect((await status({ headers: { Cookie: cookie } })).status).toBe(200);
			const entry = { name: `host-${firmware}`, subnet: '192.0.2.2 255.255.255.255' };
			expect((await http.post(url('/api/v2/cmdb/firewall/address'), entry, { headers: { Cookie: cookie } })).status).toBe(403);
			expect((await http.post(url('/api/v2/cmdb/firewall/address'), entry, { headers: { Cookie: cookie, 'X-CSRFTOKEN': 'forged' } })).status).toBe(403);
			const written = await http.post(url('/api/v2/cmdb/firewall/address'), entry, { headers: { Cookie: cookie, 'X-CSRFTOKEN': csrf } });
			expect(written.status).toBe(200);
			expect((await http.delete(url('/api/v2/authentication'), { headers: { Cookie: cookie } })).status).toBe(403);
			expect((await http.delete(url('/api/v2/authentication'), { headers: { Cookie: cookie, 'X-CSRFTOKEN': csrf } })).status).toBe(200);
			expect((await status({ headers: { Cookie: cookie } })).status).toBe(401);
		}
	});

	test('7.6.4 reads `password`: a login with only `secretkey` fails there and works on 7.4', async () => {
		const onlySecretkey = { password: undefined };
		expect((await login(onlySecretkey)).data.status_code).toBe(5);
		emu.control.configureFortiOs({ firmware: '7.6.4' });
		expect((await login(onlySecretkey)).data.status_code).toBe(-1);
	});

	test('answers a wrong password, a 2FA admin and unacknowledged banners by status_code, without a session', async () => {
		const wrong = await login({ secretkey: 'wrong', password: 'wrong' });
		expect([wrong.status, wrong.data.status_code, wrong.data.status_message, wrong.data.session_key]).toEqual([200, -1, 'LOGIN_FAILED', undefined]);
		emu.control.configureFortiOs({ twoFactorUsers: [admin.username] });
		expect((await login()).data).toEqual({ status_code: 2, status_message: 'LOGIN_TFA' });
		emu.control.configureFortiOs({ twoFactorUsers: [], preDisclaimer: true, postDisclaimer: true });
		expect((await login({ ack_pre_disclaimer: false })).data.status_code).toBe(-2);
		expect((await login({ ack_post_disclaimer: false })).data.status_code).toBe(3);
		expect((await login()).data.status_code).toBe(5);
		expect(open()).toBe(1);
	});

	test('3 failed logins lock the source out for the lockout time (429), even with the right password', async () => {
		emu.control.configureFortiOs({ lockoutSeconds: 1 });
		for (let i = 0; i < 3; i++) expect((await login({ secretkey: 'wrong' })).data.status_code).toBe(-1);
		const locked = await login();
		expect(locked.status).toBe(429);
		expect(locked.data.session_key).toBeUndefined();
		await sleep(1100);
		expect((await login()).data.status_code).toBe(5);
		const stats = emu.control.stats().fgt;
		expect([stats.failedLogins, stats.rateLimited, stats.logins]).toEqual([3, 1, 1]);
	});

	test('a success resets the failure count: 2 failures, a login, 2 failures do not lock out', async () => {
		for (const secretkey of ['wrong', 'wrong', admin.password, 'wrong', 'wrong']) await login({ secretkey });
		expect((await login()).data.status_code).toBe(5);
	});

	test('idle sessions end after admintimeout; PUT keeps one alive; use keeps it alive too', async () => {
		emu.control.setLifetime('fgt', 1);
		const kept = (await login()).data.session_key as string;
		const idle = (await login()).data.session_key as string;
		for (let i = 0; i < 3; i++) {
			await sleep(400);
			const alive = await http.put(url('/api/v2/authentication'), {}, bearer(kept));
			expect(alive.status).toBe(200);
		}
		expect((await status(bearer(kept))).status).toBe(200);
		expect((await status(bearer(idle))).status).toBe(401);
		expect((await http.put(url('/api/v2/authentication'), {}, bearer(idle))).status).toBe(401);
		expect(emu.control.stats().fgt.refreshes).toBe(3);
		expect(open()).toBe(1);
	});

	test('admin-login-max caps open sessions: the next login is refused until one logs out', async () => {
		emu.control.configureFortiOs({ maxSessions: 2 });
		const first = (await login()).data.session_key as string;
		await login();
		const third = await login();
		expect([third.data.status_code, third.data.session_key]).toEqual([0, undefined]);
		expect(third.data.error).toMatch(/Maximum number of administrators/);
		await http.delete(url('/api/v2/authentication'), bearer(first));
		expect((await login()).data.status_code).toBe(5);
	});

	test('GET current-admins lists the open sessions; expireAll ends them all', async () => {
		const key = (await login()).data.session_key as string;
		await login();
		const admins = await http.get(url('/api/v2/monitor/system/current-admins'), bearer(admin.apiCredential));
		expect(admins.data.results).toHaveLength(2);
		expect(admins.data.results[0].admin).toBe(admin.username);
		emu.control.expireAll('fgt');
		expect((await status(bearer(key))).status).toBe(401);
		expect(open()).toBe(0);
	});

	test('FortiOS 6.2 has no /api/v2/authentication (404)', async () => {
		emu.control.configureFortiOs({ firmware: '6.2' });
		expect((await login()).status).toBe(404);
	});
});

describe('FortiGate legacy /logincheck', () => {
	const loginCheck = (secretkey: string = admin.password) =>
		http.post(url('/logincheck'), form({ username: admin.username, secretkey, ajax: '1' }), { responseType: 'text' });

	test('before 7.6.3: body "1" and cookies APSCOOKIE_<n> and ccsrftoken; writes need the CSRF token; /logout ends it', async () => {
		emu.control.configureFortiOs({ firmware: '7.4' });
		const l = await loginCheck();
		expect([l.status, String(l.data)[0]]).toEqual([200, '1']);
		const { cookie, csrf, names } = cookieSession(l);
		expect(names).toEqual([expect.stringMatching(/^APSCOOKIE_\d+$/), expect.stringMatching(/^ccsrftoken_/)]);
		expect((await status({ headers: { Cookie: cookie } })).status).toBe(200);
		const entry = { name: 'legacy-host', subnet: '192.0.2.3 255.255.255.255' };
		expect((await http.post(url('/api/v2/cmdb/firewall/address'), entry, { headers: { Cookie: cookie } })).status).toBe(403);
		expect((await http.post(url('/api/v2/cmdb/firewall/address'), entry, { headers: { Cookie: cookie, 'X-CSRFTOKEN': csrf } })).status).toBe(200);
		await http.get(url('/logout'), { headers: { Cookie: cookie } });
		expect((await status({ headers: { Cookie: cookie } })).status).toBe(401);
		expect(emu.control.stats().fgt.revokes).toBe(1);
	});

	test('wrong password "0", locked out "2", 2FA admin "3"', async () => {
		expect(String((await loginCheck('wrong')).data)).toBe('0');
		emu.control.configureFortiOs({ twoFactorUsers: [admin.username] });
		expect(String((await loginCheck()).data)).toBe('3');
		await loginCheck('wrong');
		await loginCheck('wrong');
		expect(String((await loginCheck()).data)).toBe('2');
	});

	test('from 7.6.3: "1" and no session cookie, so every call after it gets 401 (KB227837)', async () => {
		for (const firmware of ['7.6.3', '7.6.4'] as const) {
			emu.control.configureFortiOs({ firmware });
			const l = await loginCheck();
			expect([firmware, String(l.data), l.headers['set-cookie']]).toEqual([firmware, '1', undefined]);
		}
		expect(open()).toBe(0);
	});
});

describe('FortiGate API answers', () => {
	test('address objects: a missing one is 404, a duplicate POST 424, PUT edits, DELETE removes', async () => {
		const key = bearer(admin.apiCredential);
		const path = url('/api/v2/cmdb/firewall/address');
		expect((await http.get(`${path}/missing`, key)).status).toBe(404);
		expect((await http.post(path, { name: 'a1', subnet: '192.0.2.4 255.255.255.255' }, key)).status).toBe(200);
		expect((await http.post(path, { name: 'a1' }, key)).status).toBe(424);
		expect((await http.put(`${path}/a1`, { comment: 'edited' }, key)).status).toBe(200);
		expect((await http.get(`${path}/a1`, key)).data.results[0]).toMatchObject({ name: 'a1', comment: 'edited' });
		expect((await http.delete(`${path}/a1`, key)).status).toBe(200);
		expect((await http.get(`${path}/a1`, key)).status).toBe(404);
	});

	test('no credentials at all: 401; an unknown API path with a valid key: 404', async () => {
		expect((await status()).status).toBe(401);
		expect((await http.get(url('/api/v2/monitor/nothing/here'), bearer(admin.apiCredential))).status).toBe(404);
	});
});

describe('FortiGate settings over the control port', () => {
	test('POST /fortios changes the appliance; an unknown firmware is a 400; /reset restores the defaults', async () => {
		const set = await http.post(`${emu.urls.control}/fortios`, { firmware: '7.6.4', maxSessions: 1 });
		expect([set.status, set.data.settings.firmware, set.data.settings.maxSessions]).toEqual([200, '7.6.4', 1]);
		expect((await status(bearer(admin.apiCredential))).data.version).toBe('v7.6.4');
		expect((await http.post(`${emu.urls.control}/fortios`, { firmware: '5.6' })).status).toBe(400);
		await http.post(`${emu.urls.control}/reset`);
		expect((await status(bearer(admin.apiCredential))).data.version).toBe('v7.4.5');
	});
});
