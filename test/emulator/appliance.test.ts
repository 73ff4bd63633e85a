import type { AxiosResponse } from 'axios';
import type { Emulator } from './index';
import { client, DEMO_ACCOUNTS, emulator, sleep } from './helpers';

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

/** The Cookie header a login's Set-Cookie lines make, and one cookie's value. */
function cookiesOf(response: AxiosResponse): { cookie: string; value(name: string): string } {
	const pairs = (response.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]);
	const value = (name: string) => (pairs.find((pair) => pair.startsWith(`${name}=`)) ?? '=').split('=')[1];
	return { cookie: pairs.join('; '), value };
}

describe('FortiClient EMS on premises', () => {
	const url = (path: string) => `${emu.urls.ems}${path}`;
	const admin = DEMO_ACCOUNTS.ems;
	const signin = async (password: string = admin.password) => await http.post(url('/api/v1/auth/signin'), { name: admin.username, password });

	test('sign-in sets a session cookie and csrftoken; reads need the cookie; writes the CSRF header and Referer too', async () => {
		const login = await signin();
		expect(login.status).toBe(200);
		expect(login.data).toMatchObject({ result: { retval: 1 } });
		const { cookie, value } = cookiesOf(login);
		expect(cookie).toMatch(/sessionid=.+; csrftoken=.+/);
		expect((await http.get(url('/api/v1/endpoints/index'))).status).toBe(401);
		expect((await http.get(url('/api/v1/endpoints/index'), { headers: { Cookie: cookie } })).data).toMatchObject({ data: { endpoints: [{ name: 'demo-laptop-01' }] } });
		const write = (headers: Record<string, string>) => http.post(url('/api/v1/endpoints/tag'), { tag: 'n8n' }, { headers: { Cookie: cookie, ...headers } });
		expect((await write({})).status).toBe(403);
		expect((await write({ 'X-CSRFToken': value('csrftoken') })).status).toBe(403);
		const origin = new URL(emu.urls.ems).origin;
		expect((await write({ 'X-CSRFToken': 'wrong', Referer: `${origin}/` })).status).toBe(403);
		expect((await write({ 'X-CSRFToken': value('csrftoken'), Referer: `${origin}/` })).status).toBe(200);
		expect(emu.control.openSessions('ems', admin.username)).toBe(1);
	});

	test('a wrong password is 401 with a negative retval; an expired or signed-out session 401 retval -4', async () => {
		expect((await signin('wrong')).status).toBe(401);
		expect(emu.control.stats().ems.failedLogins).toBe(1);
		const { cookie } = cookiesOf(await signin());
		emu.control.setLifetime('ems', 1);
		await sleep(1100);
		const expired = await http.get(url('/api/v1/system/serial_number'), { headers: { Cookie: cookie } });
		expect([expired.status, expired.data.result.retval]).toEqual([401, -4]);
		emu.control.setLifetime('ems', 1800);
		const fresh = cookiesOf(await signin()).cookie;
		expect((await http.get(url('/api/v1/auth/signout'), { headers: { Cookie: fresh } })).status).toBe(200);
		expect((await http.get(url('/api/v1/system/serial_number'), { headers: { Cookie: fresh } })).status).toBe(401);
		expect(emu.control.stats().ems.users[admin.username]).toMatchObject({ logins: 2, revokes: 1 });
	});

	test('the session cap refuses one login too many', async () => {
		emu.control.configureAppliance('ems', { maxSessions: 2 });
		expect((await signin()).status).toBe(200);
		expect((await signin()).status).toBe(200);
		const third = await signin();
		expect(third.status).toBe(401);
		expect(third.data.result.message).toMatch(/Maximum number of sessions/);
	});
});

describe('FortiClient EMS Cloud', () => {
	const url = (path: string) => `${emu.urls.emsCloud}${path}`;
	const account = DEMO_ACCOUNTS.emsCloud;

	test('an access key gives a session_id sent as the bare Authorization header; logout ends it', async () => {
		expect((await http.post(url('/api/public/v1/ems_api_cloud/login/'), { access_key: 'wrong', account_email: account.username })).status).toBe(401);
		const login = await http.post(url('/api/public/v1/ems_api_cloud/login/'), { access_key: account.apiCredential, account_email: account.username });
		const session = String(login.data.session_id);
		expect(session.length).toBeGreaterThan(20);
		expect((await http.get(url('/api/public/v1/endpoints/'), { headers: { Authorization: `Bearer ${session}` } })).status).toBe(401);
		expect((await http.get(url('/api/public/v1/endpoints/'), { headers: { Authorization: session } })).status).toBe(200);
		expect((await http.post(url('/api/public/v1/ems_api_cloud/logout/'), {}, { headers: { Authorization: session } })).status).toBe(200);
		expect((await http.get(url('/api/public/v1/endpoints/'), { headers: { Authorization: session } })).status).toBe(401);
	});
});

describe('FortiMail (FortiRecorder, FortiVoice)', () => {
	const url = (path: string) => `${emu.urls.fml}${path}`;
	const admin = DEMO_ACCOUNTS.fml;
	const login = async (body: Record<string, unknown> = {}, path = '/api/v1/AdminLogin/') => await http.post(url(path), { name: admin.username, password: admin.password, ...body });

	test('the login sets APSCOOKIE; a gone session is 403, not 401; the logout ends it', async () => {
		const { cookie } = cookiesOf(await login());
		expect(cookie).toMatch(/^APSCOOKIE_\d+=/);
		expect((await http.get(url('/api/v1/Domain/'), { headers: { Cookie: cookie } })).status).toBe(200);
		expect((await http.delete(url('/api/v1/AdminLogin/'), { headers: { Cookie: cookie } })).status).toBe(200);
		const gone = await http.get(url('/api/v1/Domain/'), { headers: { Cookie: cookie } });
		expect(gone.status).toBe(403);
		const voice = cookiesOf(await login({}, '/api/v1/VoiceadminLogin/')).cookie;
		expect((await http.get(url('/api/v1/SysStatusCommon/'), { headers: { Cookie: voice } })).status).toBe(200);
	});

	test('a post-login banner asks for the login again with reqAction 7', async () => {
		emu.control.configureAppliance('fml', { banner: true });
		const first = await login();
		expect(first.data).toHaveProperty('post_login_banner');
		expect(first.headers['set-cookie']).toBeUndefined();
		expect(cookiesOf(await login({ reqAction: 7 })).cookie).toMatch(/^APSCOOKIE/);
	});

	test('three wrong passwords lock the address out; the cap refuses the eleventh session', async () => {
		for (let i = 0; i < 3; i++) expect((await login({ password: 'wrong' })).data).toMatchObject({ errorType: 7 });
		const locked = await login();
		expect(locked.status).toBe(403);
		expect(locked.data.errorMsg).toMatch(/locked out/);
		emu.control.reset();
		emu.control.configureAppliance('fml', { maxSessions: 10 });
		for (let i = 0; i < 10; i++) expect((await login()).status).toBe(200);
		expect((await login()).data.errorMsg).toMatch(/maximum number of REST API sessions/);
	});
});

describe('FortiADC', () => {
	const url = (path: string) => `${emu.urls.adc}${path}`;
	const admin = DEMO_ACCOUNTS.adc;

	test('the login answers a token and sets a cookie: calls need both; the logout ends them', async () => {
		const login = await http.post(url('/api/user/login'), { username: admin.username, password: admin.password });
		const token = String(login.data.token);
		const { cookie } = cookiesOf(login);
		expect(cookie).toMatch(/^ADC_SESSION=/);
		const read = (headers: Record<string, string>) => http.get(url('/api/load_balance_virtual_server'), { headers });
		expect((await read({ Authorization: `Bearer ${token}` })).status).toBe(401);
		expect((await read({ Cookie: cookie })).status).toBe(401);
		expect((await read({ Authorization: `Bearer ${token}`, Cookie: cookie })).data).toMatchObject({ payload: [{ mkey: 'vs-web' }] });
		expect((await http.get(url('/api/user/logout'), { headers: { Authorization: `Bearer ${token}`, Cookie: cookie } })).status).toBe(200);
		const gone = await read({ Authorization: `Bearer ${token}`, Cookie: cookie });
		expect([gone.status, gone.data.payload]).toEqual([401, -214]);
	});

	test('a REST API key in APITOKEN', async () => {
		expect((await http.get(url('/api/system_global'), { headers: { APITOKEN: admin.apiCredential } })).status).toBe(200);
		expect((await http.get(url('/api/system_global'), { headers: { APITOKEN: 'wrong' } })).status).toBe(401);
	});
});

describe('FortiSandbox', () => {
	const rpc = async (body: Record<string, unknown>) => (await http.post(`${emu.urls.fsa}/jsonrpc`, { id: 1, ver: '2.5', ...body })).data;
	const admin = DEMO_ACCOUNTS.fsa;

	test('login and PaaS token login answer a session; a result is one object; a logged-out session is -11', async () => {
		const login = await rpc({ method: 'exec', params: [{ url: '/sys/login/user', data: { user: admin.username, passwd: admin.password } }] });
		expect(login.result).toMatchObject({ status: { code: 0 } });
		const byToken = await rpc({ method: 'get', params: [{ url: '/sys/login/token', data: { token: admin.apiCredential } }] });
		expect(typeof byToken.session).toBe('string');
		const status = await rpc({ method: 'get', params: [{ url: '/sys/status' }], session: login.session });
		expect(status.result).toMatchObject({ status: { code: 0 }, data: { hostname: 'demo-fsa' } });
		expect((await rpc({ method: 'exec', params: [{ url: '/sys/logout' }], session: login.session })).result.status.code).toBe(0);
		expect((await rpc({ method: 'get', params: [{ url: '/sys/status' }], session: login.session })).result.status.code).toBe(-11);
		expect((await rpc({ method: 'exec', params: [{ url: '/sys/login/user', data: { user: admin.username, passwd: 'wrong' } }] })).result.status.code).not.toBe(0);
		expect(emu.control.openSessions('fsa', admin.username)).toBe(1);
	});
});
