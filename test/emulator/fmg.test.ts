/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
import axios from 'axios';
import * as https from 'node:https';
import type { Emulator } from './index';
import { client, DEMO_ACCOUNTS, emulator, iamLogin, sleep } from './helpers';

let emu: Emulator;
let http: ReturnType<typeof client>;

beforeAll(async () => {
	emu = await emulator();
	http = client(emu.caCertificate);
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => emu.control.reset());

const rpc = (base: string, method: string, url: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
	http.post(`${base}/jsonrpc`, { id: 7, method, params: [{ url, ...(extra.data ? { data: extra.data } : {}) }], ...(extra.session ? { session: extra.session } : {}) }, { headers });
const login = (user = DEMO_ACCOUNTS.fmg.username, passwd: string = DEMO_ACCOUNTS.fmg.password) =>
	rpc(emu.urls.fmg, 'exec', 'sys/login/user', { data: { user, passwd } });
const status = (base: string, session: string) => rpc(base, 'get', '/sys/status', { session });
const code = (r: { data: { result: Array<{ status: { code: number } }> } }) => r.data.result[0].status.code;

describe('on-premises FortiManager JSON-RPC', () => {
	test('the appliance has a self-signed certificate: refused without the CA', async () => {
		const plain = axios.create({ httpsAgent: new https.Agent({ keepAlive: false }) });
		await expect(plain.post(`${emu.urls.fmg}/jsonrpc`, {})).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/) });
	});

	test('login → session; calls with it succeed; logout ends it with -11 afterwards (all HTTP 200)', async () => {
		const l = await login();
		expect(l.status).toBe(200);
		expect(code(l)).toBe(0);
		expect(l.data.id).toBe(7);
		const session = l.data.session as string;
		expect(session).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
		const s = await status(emu.urls.fmg, session);
		expect([s.status, code(s)]).toEqual([200, 0]);
		expect(s.data.result[0].data['Admin User']).toBe(DEMO_ACCOUNTS.fmg.username);
		expect(emu.control.openSessions('fmg', DEMO_ACCOUNTS.fmg.username)).toBe(1);
		const out = await rpc(emu.urls.fmg, 'exec', '/sys/logout', { session });
		expect([out.status, code(out)]).toEqual([200, 0]);
		const after = await status(emu.urls.fmg, session);
		expect([after.status, code(after), after.data.result[0].status.message]).toEqual([200, -11, 'No permission for the resource']);
		expect(emu.control.openSessions('fmg', DEMO_ACCOUNTS.fmg.username)).toBe(0);
		const stats = emu.control.stats().fmg;
		expect([stats.logins, stats.revokes, stats.apiAccepted, stats.apiRejected]).toEqual([1, 1, 1, 1]);
		expect(stats.authorizations).toContain(`session ${session}`);
	});

	test('a wrong password is HTTP 200 with code -22 and no session; logins do not end other sessions', async () => {
		const bad = await login(DEMO_ACCOUNTS.fmg.username, 'wrong');
		expect([bad.status, code(bad), bad.data.session]).toEqual([200, -22, undefined]);
		const a = (await login()).data.session as string;
		const b = (await login()).data.session as string;
		expect(a).not.toBe(b);
		expect(code(await status(emu.urls.fmg, a))).toBe(0);
		expect(emu.control.openSessions('fmg', DEMO_ACCOUNTS.fmg.username)).toBe(2);
		expect(emu.control.stats().fmg.failedLogins).toBe(1);
	});

	test('get /sys/session reports valid and time_left, and a session idle past its timeout answers -11', async () => {
		emu.control.setLifetime('fmg', 1);
		const session = (await login()).data.session as string;
		const info = await rpc(emu.urls.fmg, 'get', '/sys/session', { session });
		expect(info.data.result[0].data).toMatchObject({ valid: 1, time_left: 1 });
		await sleep(1100);
		expect(code(await rpc(emu.urls.fmg, 'get', '/sys/session', { session }))).toBe(-11);
		expect(code(await status(emu.urls.fmg, session))).toBe(-11);
	});

	test('use restarts the idle time', async () => {
		emu.control.setLifetime('fmg', 1);
		const session = (await login()).data.session as string;
		for (let i = 0; i < 4; i++) {
			await sleep(400);
			expect(code(await status(emu.urls.fmg, session))).toBe(0);
		}
	});

	test('expireAll ends every session (an administrator deleting them, a reboot)', async () => {
		const session = (await login()).data.session as string;
		emu.control.expireAll('fmg');
		expect(code(await status(emu.urls.fmg, session))).toBe(-11);
		expect(emu.control.activeToken('fmg', DEMO_ACCOUNTS.fmg.username)).toBeUndefined();
	});

	test('API-key admins: Bearer key without a session; a wrong key is HTTP 401', async () => {
		const ok = await rpc(emu.urls.fmg, 'get', '/sys/status', {}, { Authorization: `Bearer ${DEMO_ACCOUNTS.fmg.apiCredential}` });
		expect([ok.status, code(ok)]).toEqual([200, 0]);
		const bad = await rpc(emu.urls.fmg, 'get', '/sys/status', {}, { Authorization: 'Bearer nope' });
		expect(bad.status).toBe(401);
	});

	test('faults apply to login (token), check, resource and logout (revoke)', async () => {
		emu.control.injectFault({ service: 'fmg', endpoint: 'token', count: 1, fault: { type: 'status', status: 503 } });
		expect((await login()).status).toBe(503);
		const session = (await login()).data.session as string;
		emu.control.injectFault({ service: 'fmg', endpoint: 'check', count: 1, fault: { type: 'status', status: 500 } });
		expect((await rpc(emu.urls.fmg, 'get', '/sys/session', { session })).status).toBe(500);
		emu.control.injectFault({ service: 'fmg', endpoint: 'resource', count: 1, fault: { type: 'delay', ms: 50 } });
		expect(code(await status(emu.urls.fmg, session))).toBe(0);
	});
});

describe('FortiManager / FortiAnalyzer Cloud instances', () => {
	test('a FortiCloud IAM token of client_id FortiManager is exchanged for a session', async () => {
		const iam = (await iamLogin(http, emu, 'FortiManager')).data.access_token as string;
		const ex = await http.post(`${emu.urls.fmgCloud}/p/forticloud_jsonrpc_login/`, { access_token: iam });
		expect(ex.status).toBe(200);
		const session = ex.data.session as string;
		const s = await status(emu.urls.fmgCloud, session);
		expect([s.status, code(s)]).toEqual([200, 0]);
		expect(emu.control.stats().fmgCloud.users[DEMO_ACCOUNTS.iam.username].logins).toBe(1);
	});

	test('the session outlives its IAM token (guess): a new IAM login does not end it', async () => {
		const iam = (await iamLogin(http, emu, 'FortiManager')).data.access_token as string;
		const session = (await http.post(`${emu.urls.fmgCloud}/p/forticloud_jsonrpc_login/`, { access_token: iam })).data.session as string;
		await iamLogin(http, emu, 'FortiManager');
		expect(code(await status(emu.urls.fmgCloud, session))).toBe(0);
	});

	test('another client_id, a dead or a missing token: HTTP 401 and no session', async () => {
		const faz = (await iamLogin(http, emu, 'FortiAnalyzer')).data.access_token as string;
		expect((await http.post(`${emu.urls.fmgCloud}/p/forticloud_jsonrpc_login/`, { access_token: faz })).status).toBe(401);
		expect((await http.post(`${emu.urls.fazCloud}/p/forticloud_jsonrpc_login/`, { access_token: faz })).status).toBe(200);
		const fmg = (await iamLogin(http, emu, 'FortiManager')).data.access_token as string;
		emu.control.expireAll('iam');
		expect((await http.post(`${emu.urls.fmgCloud}/p/forticloud_jsonrpc_login/`, { access_token: fmg })).status).toBe(401);
		expect((await http.post(`${emu.urls.fmgCloud}/p/forticloud_jsonrpc_login/`, {})).status).toBe(401);
		expect(emu.control.stats().fmgCloud.failedLogins).toBe(3);
	});

	test('no password login and no API keys at a cloud instance', async () => {
		const l = await rpc(emu.urls.fmgCloud, 'exec', 'sys/login/user', { data: { user: DEMO_ACCOUNTS.iam.username, passwd: DEMO_ACCOUNTS.iam.password } });
		expect(code(l)).toBe(-22);
		const key = await rpc(emu.urls.fmgCloud, 'get', '/sys/status', {}, { Authorization: `Bearer ${DEMO_ACCOUNTS.fmg.apiCredential}` });
		expect(code(key)).toBe(-11);
	});
});
