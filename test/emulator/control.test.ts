import type { Emulator, EmulatorStats } from './index';
import { client, DEMO_ACCOUNTS, emulator, form, iamLogin, iamRefresh, sleep } from './helpers';

let emu: Emulator;
let http: ReturnType<typeof client>;
const ctl = (path: string) => `${emu.urls.control}${path}`;

beforeAll(async () => {
	emu = await emulator({ lifetimes: { FortiSASE: 2 }, rotateRefreshTokens: false, rateLimits: { FortiSASE: { max: 100, windowMs: 1000 } } });
	http = client(emu.caCertificate);
});
afterAll(async () => {
	await emu.close();
});
beforeEach(async () => {
	expect((await http.post(ctl('/reset'))).data).toEqual({ ok: true });
});

const stats = async (): Promise<EmulatorStats> => (await http.get(ctl('/stats'))).data as EmulatorStats;

test('options apply at start (lifetimes, rotation off)', async () => {
	const login = await iamLogin(http, emu, 'FortiSASE');
	expect(login.data.expires_in).toBe(2);
	const r = await iamRefresh(http, emu, 'FortiSASE', login.data.refresh_token);
	expect(r.data).not.toHaveProperty('refresh_token');
});

test('GET /stats mirrors control.stats(), POST /reset clears counters and tokens', async () => {
	const login = (await iamLogin(http, emu, 'FortiSASE')).data;
	const s = await stats();
	expect(s).toEqual(emu.control.stats());
	expect(s.iam.logins).toBe(1);
	expect(Object.keys(s).sort()).toEqual(['adc', 'casb', 'cwp', 'ems', 'emsCloud', 'fac', 'fazCloud', 'fgt', 'fmg', 'fmgCloud', 'fml', 'fsa', 'iam']);
	await http.post(ctl('/reset'));
	const after = await stats();
	expect(after.iam.logins).toBe(0);
	expect(after.iam.users).toEqual({});
	expect((await iamRefresh(http, emu, 'FortiSASE', login.refresh_token)).status).toBe(400);
	// users survive reset
	expect((await iamLogin(http, emu, 'FortiSASE')).status).toBe(200);
});

test('POST /expire {service}: access tokens of that service expire now, refresh still works', async () => {
	const iam = (await iamLogin(http, emu, 'FortiSASE')).data;
	const casb = (
		await http.post(
			`${emu.urls.casb}/api/v1/auth/token`,
			form({ grant_type: 'password', username: DEMO_ACCOUNTS.casb.username, password: DEMO_ACCOUNTS.casb.password }),
		)
	).data;
	expect((await http.post(ctl('/expire'), { service: 'iam' })).status).toBe(200);
	const sase = (t: string) => http.get(`${emu.urls.iam}/resource-api/v2/endpoints`, { headers: { Authorization: `Bearer ${t}` } });
	const map = (t: string) => http.get(`${emu.urls.casb}/api/v1/resourceURLMap`, { headers: { Authorization: `Bearer ${t}` } });
	expect((await sase(iam.access_token)).status).toBe(401);
	expect((await map(casb.access_token)).status).toBe(200);
	const r = await iamRefresh(http, emu, 'FortiSASE', iam.refresh_token);
	expect((await sase(r.data.access_token)).status).toBe(200);
	// no service = all
	await http.post(ctl('/expire'));
	expect((await map(casb.access_token)).status).toBe(401);
	expect((await sase(r.data.access_token)).status).toBe(401);
});

test('POST /revoke: access and refresh tokens invalid', async () => {
	const casb = (
		await http.post(
			`${emu.urls.cwp}/api/v1/auth/token`,
			form({ grant_type: 'password', username: DEMO_ACCOUNTS.cwp.username, password: DEMO_ACCOUNTS.cwp.password }),
		)
	).data;
	await http.post(ctl('/revoke'), { service: 'cwp' });
	expect((await http.get(`${emu.urls.cwp}/api/v1/resourceURLMap`, { headers: { Authorization: `Bearer ${casb.access_token}` } })).status).toBe(401);
	const r = await http.post(`${emu.urls.cwp}/api/v1/auth/token/refresh`, form({ grant_type: 'refresh_token', refresh_token: casb.refresh_token }));
	expect(r.status).toBe(401);
	expect((await http.post(ctl('/revoke'), { service: 'nope' })).status).toBe(400);
});

test('POST /users adds a login', async () => {
	const r = await http.post(ctl('/users'), { service: 'fac', user: { username: 'demo-fac-2', password: 'demo-pw' } });
	expect(r.status).toBe(200);
	const l = await http.post(`${emu.urls.fac}/api/fabric/authenticate`, { username: 'demo-fac-2', password: 'demo-pw' });
	expect(l.status).toBe(200);
	expect((await http.post(ctl('/users'), { service: 'iam', user: { username: 'x' } })).status).toBe(400);
	expect((await http.post(ctl('/users'), { user: { username: 'x', password: 'y' } })).status).toBe(400);
});

test('POST /config: lifetimes, rotation, rate limits', async () => {
	expect(
		(
			await http.post(ctl('/config'), {
				lifetimes: { fortiedgecloud: 1, casb: 1 },
				rotateRefreshTokens: true,
				rateLimits: { fortiztp: { max: 1, windowMs: 60_000 } },
			})
		).status,
	).toBe(200);
	const edge = (await iamLogin(http, emu, 'fortiedgecloud')).data;
	expect(edge.expires_in).toBe(1);
	expect((await iamRefresh(http, emu, 'fortiedgecloud', edge.refresh_token)).data.refresh_token).toBeDefined();
	expect((await iamLogin(http, emu, 'fortiztp')).status).toBe(200);
	expect((await iamLogin(http, emu, 'fortiztp')).status).toBe(429);
	const casb = await http.post(
		`${emu.urls.casb}/api/v1/auth/token`,
		form({ grant_type: 'password', username: DEMO_ACCOUNTS.casb.username, password: DEMO_ACCOUNTS.casb.password }),
	);
	expect(casb.data.expires).toBeLessThanOrEqual(Date.now() + 1000);
	expect((await http.post(ctl('/config'), { lifetimes: { x: -1 } })).status).toBe(400);
	expect((await http.post(ctl('/config'), { rotateRefreshTokens: 'yes' })).status).toBe(400);
	await http.post(ctl('/config'), { rotateRefreshTokens: false, lifetimes: { fortiedgecloud: 14400, casb: 3600 } });
});

test('POST /faults and DELETE /faults', async () => {
	const spec = { service: 'iam', endpoint: 'token', count: 3, fault: { type: 'status', status: 503 } };
	expect((await http.post(ctl('/faults'), spec)).status).toBe(200);
	expect((await iamLogin(http, emu, 'FortiSASE')).status).toBe(503);
	expect((await http.delete(ctl('/faults'))).status).toBe(200);
	expect((await iamLogin(http, emu, 'FortiSASE')).status).toBe(200);
	const bad = await http.post(ctl('/faults'), { service: 'iam', endpoint: 'everything', count: 1, fault: { type: 'reset' } });
	expect(bad.status).toBe(400);
	expect((await http.post(ctl('/faults'), '{nope', { headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
});

test('GET /active-token', async () => {
	const t = (await iamLogin(http, emu, 'FortiSASE')).data.access_token;
	const r = await http.get(ctl(`/active-token?service=iam&user=${encodeURIComponent(`${DEMO_ACCOUNTS.iam.username}/FortiSASE`)}`));
	expect(r.data).toEqual({ token: t });
	expect((await http.get(ctl('/active-token?service=casb&user=nobody'))).data).toEqual({ token: null });
});

test('GET /open-sessions counts the JSON-RPC sessions a user left open', async () => {
	const count = async () => (await http.get(ctl(`/open-sessions?service=fmg&user=${DEMO_ACCOUNTS.fmg.username}`))).data;
	expect(await count()).toEqual({ sessions: 0 });
	const login = { id: 1, method: 'exec', params: [{ url: 'sys/login/user', data: { user: DEMO_ACCOUNTS.fmg.username, passwd: DEMO_ACCOUNTS.fmg.password } }] };
	await http.post(`${emu.urls.fmg}/jsonrpc`, login);
	await http.post(`${emu.urls.fmg}/jsonrpc`, login);
	expect(await count()).toEqual({ sessions: 2 });
	expect((await http.get(ctl('/open-sessions?service=nope'))).status).toBe(400);
});

test('per-service counters and Authorization values via HTTP stats', async () => {
	const fac = (await http.post(`${emu.urls.fac}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac)).data;
	await http.get(`${emu.urls.fac}/api/fabric/device/status`, { headers: { Authorization: `Bearer ${fac.access_token}` } });
	await http.get(`${emu.urls.fac}/api/fabric/device/status`, { headers: { Authorization: 'Token abc' } });
	await http.post(`${emu.urls.fac}/api/fabric/authenticate`, { username: DEMO_ACCOUNTS.fac.username, password: 'bad' });
	const s = (await stats()).fac;
	expect(s).toMatchObject({ logins: 1, failedLogins: 1, apiAccepted: 1, apiRejected: 1 });
	expect(s.authorizations).toEqual([`Bearer ${fac.access_token}`, 'Token abc']);
	expect(s.users[DEMO_ACCOUNTS.fac.username]).toMatchObject({ logins: 1, failedLogins: 1, apiAccepted: 1, authorizations: [`Bearer ${fac.access_token}`] });
});

test('hostile input never crashes the emulator', async () => {
	const junk = [
		http.post(`${emu.urls.iam}/api/v1/oauth/token/`, 'null', { headers: { 'Content-Type': 'application/json' } }),
		http.post(`${emu.urls.iam}/api/v1/oauth/token/`, '{"username": {"$ne": 1}, "password": [], "client_id": 5, "grant_type": "password"}', {
			headers: { 'Content-Type': 'application/json' },
		}),
		http.post(`${emu.urls.casb}/api/v1/auth/token`, Buffer.from([0xff, 0xfe, 0x00]), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
		http.post(`${emu.urls.fac}/api/fabric/authenticate`, 'x'.repeat(2_000_000), { headers: { 'Content-Type': 'application/json' } }),
		http.get(`${emu.urls.iam}/%%%`),
		http.post(`${emu.urls.cwp}/api/v1/auth/credentials/token/`, 'grant_type=client_credentials', {
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Basic' },
		}),
	];
	const results = await Promise.allSettled(junk);
	for (const r of results) {
		if (r.status === 'fulfilled') expect(r.value.status).toBeGreaterThanOrEqual(400);
	}
	await sleep(10);
	expect((await iamLogin(http, emu, 'FortiSASE')).status).toBe(200);
	expect((await http.post(`${emu.urls.fac}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac)).status).toBe(200);
});
