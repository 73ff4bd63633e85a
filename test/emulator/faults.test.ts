import type { Emulator } from './index';
import { client, DEMO_ACCOUNTS, emulator, form, iamLogin, iamRefresh } from './helpers';

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

const IAM_KEY = `${DEMO_ACCOUNTS.iam.username}/FortiSASE`;

test('reset: the socket is destroyed without an answer, then normal', async () => {
	emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'reset' } });
	await expect(iamLogin(http, emu, 'FortiSASE')).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|ERR_BAD_RESPONSE|socket hang up/) });
	expect((await iamLogin(http, emu, 'FortiSASE')).status).toBe(200);
	expect(emu.control.stats().iam.logins).toBe(1);
});

test('reset on the HTTPS listener (FAC)', async () => {
	emu.control.injectFault({ service: 'fac', endpoint: 'token', count: 1, fault: { type: 'reset' } });
	await expect(http.post(`${emu.urls.fac}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac)).rejects.toBeDefined();
	expect((await http.post(`${emu.urls.fac}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac)).status).toBe(200);
});

test('delay: waits, then answers normally and counts as a login', async () => {
	emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'delay', ms: 300 } });
	const t0 = Date.now();
	const r = await iamLogin(http, emu, 'FortiSASE');
	expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
	expect(r.status).toBe(200);
	expect(r.data.access_token).toBeDefined();
	expect(emu.control.stats().iam.users[IAM_KEY].logins).toBe(1);
});

test('rateLimit: 429 + Retry-After, not counted as a login', async () => {
	emu.control.injectFault({ service: 'casb', endpoint: 'token', count: 1, fault: { type: 'rateLimit', retryAfter: 7 } });
	const r = await http.post(
		`${emu.urls.casb}/api/v1/auth/token`,
		form({ grant_type: 'password', username: DEMO_ACCOUNTS.casb.username, password: DEMO_ACCOUNTS.casb.password }),
	);
	expect(r.status).toBe(429);
	expect(r.headers['retry-after']).toBe('7');
	expect(emu.control.stats().casb.logins).toBe(0);
});

test('status: 503 with custom body/content type; default JSON body', async () => {
	emu.control.injectFault({
		service: 'iam',
		endpoint: 'refresh',
		count: 1,
		fault: { type: 'status', status: 503, body: 'Service Unavailable', contentType: 'text/plain' },
	});
	emu.control.injectFault({ service: 'iam', endpoint: 'refresh', count: 1, fault: { type: 'status', status: 500 } });
	const login = (await iamLogin(http, emu, 'FortiSASE')).data;
	const r1 = await iamRefresh(http, emu, 'FortiSASE', login.refresh_token);
	expect(r1.status).toBe(503);
	expect(r1.headers['content-type']).toContain('text/plain');
	expect(r1.data).toBe('Service Unavailable');
	const r2 = await iamRefresh(http, emu, 'FortiSASE', login.refresh_token);
	expect(r2.status).toBe(500);
	expect(r2.data.error).toBe('emulated_fault');
	expect((await iamRefresh(http, emu, 'FortiSASE', login.refresh_token)).status).toBe(200);
	expect(emu.control.stats().iam.refreshes).toBe(1);
});

test('html: text/html error page (502 default, 200 when asked)', async () => {
	emu.control.injectFault({ service: 'cwp', endpoint: 'resource', count: 1, fault: { type: 'html' } });
	emu.control.injectFault({ service: 'fac', endpoint: 'token', count: 1, fault: { type: 'html', status: 200 } });
	const r = await http.get(`${emu.urls.cwp}/api/v1/resourceURLMap`);
	expect(r.status).toBe(502);
	expect(r.headers['content-type']).toContain('text/html');
	expect(String(r.data)).toContain('<html>');
	const f = await http.post(`${emu.urls.fac}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac);
	expect(f.status).toBe(200);
	expect(f.headers['content-type']).toContain('text/html');
});

test('malformedJson: 200 application/json that does not parse', async () => {
	emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'malformedJson' } });
	const r = await http.post(
		`${emu.urls.iam}/api/v1/oauth/token/`,
		{ ...DEMO_ACCOUNTS.iam, client_id: 'FortiSASE', client_secret: '', grant_type: 'password' },
		{ transformResponse: (x: string) => x },
	);
	expect(r.status).toBe(200);
	expect(r.headers['content-type']).toContain('application/json');
	expect(() => JSON.parse(r.data as string)).toThrow();
	expect(emu.control.stats().iam.logins).toBe(0);
});

test('trailer: the normal answer with text appended (a proxy footer); the call counts, its session or token is live', async () => {
	const footer = '\n<!-- proxy: cache MISS -->';
	emu.control.injectFault({ service: 'fmg', endpoint: 'token', count: 1, fault: { type: 'trailer', text: footer } });
	emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'trailer', text: footer } });
	const login = await http.post(
		`${emu.urls.fmg}/jsonrpc`,
		{ id: 1, method: 'exec', params: [{ url: '/sys/login/user', data: { user: DEMO_ACCOUNTS.fmg.username, passwd: DEMO_ACCOUNTS.fmg.password } }] },
		{ transformResponse: (x: string) => x },
	);
	expect(login.status).toBe(200);
	expect(login.headers['content-type']).toContain('application/json');
	const text = login.data as string;
	expect(text.endsWith(footer)).toBe(true);
	expect(() => JSON.parse(text)).toThrow();
	const session = (JSON.parse(text.slice(0, -footer.length)) as { session: string }).session;
	expect(session).toBe(emu.control.activeToken('fmg', DEMO_ACCOUNTS.fmg.username));
	expect(emu.control.stats().fmg.logins).toBe(1);
	expect(emu.control.openSessions('fmg', DEMO_ACCOUNTS.fmg.username)).toBe(1);
	const iam = await http.post(
		`${emu.urls.iam}/api/v1/oauth/token/`,
		{ ...DEMO_ACCOUNTS.iam, client_id: 'FortiSASE', client_secret: '', grant_type: 'password' },
		{ transformResponse: (x: string) => x },
	);
	expect(String(iam.data).endsWith(footer)).toBe(true);
	expect(emu.control.stats().iam.logins).toBe(1);
	// Only the one answer: the next is plain JSON again.
	expect((await iamLogin(http, emu, 'FortiSASE')).data.access_token).toEqual(expect.any(String));
	expect(() => emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'trailer', text: '' } })).toThrow();
});

test('noToken: 200 success-looking body without access_token', async () => {
	emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'noToken' } });
	emu.control.injectFault({ service: 'casb', endpoint: 'refresh', count: 1, fault: { type: 'noToken' } });
	const r = await iamLogin(http, emu, 'FortiSASE');
	expect(r.status).toBe(200);
	expect(r.data.status).toBe('success');
	expect(r.data).not.toHaveProperty('access_token');
	const c = await http.post(`${emu.urls.casb}/api/v1/auth/token/refresh`, form({ grant_type: 'refresh_token', refresh_token: 'x' }));
	expect(c.status).toBe(200);
	expect(c.data).not.toHaveProperty('access_token');
	expect(emu.control.stats().iam.logins).toBe(0);
});

test('expires: normal success with expires_in / expires replaced', async () => {
	emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'expires', value: '3600' } });
	emu.control.injectFault({ service: 'cwp', endpoint: 'token', count: 1, fault: { type: 'expires', value: null } });
	emu.control.injectFault({ service: 'fac', endpoint: 'token', count: 1, fault: { type: 'expires', value: -5 } });
	const r = await iamLogin(http, emu, 'FortiSASE');
	expect(r.data.expires_in).toBe('3600');
	const t = r.data.access_token as string;
	expect((await http.get(`${emu.urls.iam}/resource-api/v2/endpoints`, { headers: { Authorization: `Bearer ${t}` } })).status).toBe(200);
	const c = await http.post(
		`${emu.urls.cwp}/api/v1/auth/token`,
		form({ grant_type: 'password', username: DEMO_ACCOUNTS.cwp.username, password: DEMO_ACCOUNTS.cwp.password }),
	);
	expect(c.status).toBe(200);
	expect(c.data.expires).toBeNull();
	expect(typeof c.data.access_token).toBe('string');
	const f = await http.post(`${emu.urls.fac}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac);
	expect(f.data.expires_in).toBe(-5);
	const s = emu.control.stats();
	expect(s.iam.logins + s.cwp.logins + s.fac.logins).toBe(3);
});

test('count is honoured, then calls are normal; faults are per service and endpoint', async () => {
	emu.control.injectFault({ service: 'iam', endpoint: 'resource', count: 2, fault: { type: 'status', status: 500 } });
	const t = (await iamLogin(http, emu, 'fortilancloud')).data.access_token as string;
	const call = () => http.get(`${emu.urls.iam}/api/v1/switches`, { headers: { Authorization: `Bearer ${t}` } });
	expect((await call()).status).toBe(500);
	expect((await call()).status).toBe(500);
	expect((await call()).status).toBe(200);
	expect((await call()).status).toBe(200);
});

test('revoke endpoint fault and clearFaults', async () => {
	emu.control.injectFault({ service: 'iam', endpoint: 'revoke', count: 5, fault: { type: 'status', status: 502 } });
	const revoke = () => http.post(`${emu.urls.iam}/api/v1/oauth/revoke_token/`, { client_id: 'FortiSASE', token: 'x' });
	expect((await revoke()).status).toBe(502);
	emu.control.clearFaults();
	expect((await revoke()).status).toBe(200);
});

test('invalid fault specs are refused', () => {
	expect(() => emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 0, fault: { type: 'reset' } })).toThrow();
	expect(() =>
		emu.control.injectFault({ service: 'nope' as 'iam', endpoint: 'token', count: 1, fault: { type: 'reset' } }),
	).toThrow();
});

describe('faults for bounds and redirects', () => {
	test('redirect: a 3xx with the Location given, no login', async () => {
		emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'redirect', location: 'http://127.0.0.1:9/elsewhere' } });
		const r = await http.post(`${emu.urls.iam}/api/v1/oauth/token/`, {}, { maxRedirects: 0, validateStatus: () => true });
		expect(r.status).toBe(307);
		expect(r.headers.location).toBe('http://127.0.0.1:9/elsewhere');
		expect(emu.control.stats().iam.logins).toBe(0);
	});

	test('hugeToken: a success whose access token has the given length', async () => {
		emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'hugeToken', length: 20_000 } });
		const r = await iamLogin(http, emu, 'FortiSASE');
		expect(r.status).toBe(200);
		expect(String(r.data.access_token)).toHaveLength(20_000);
	});

	test('hugeBody: a 200 of the given size', async () => {
		emu.control.injectFault({ service: 'casb', endpoint: 'token', count: 1, fault: { type: 'hugeBody', bytes: 300_000 } });
		const r = await http.post(`${emu.urls.casb}/api/v1/auth/token`, form({ grant_type: 'password' }), { responseType: 'text', transformResponse: (x: unknown) => x });
		expect(r.status).toBe(200);
		expect(String(r.data)).toHaveLength(300_000);
	});

	test('trickle: headers at once, then one byte per interval (here 5 bytes, 50 ms apart)', async () => {
		emu.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'trickle', intervalMs: 50, bytes: 5 } });
		const t0 = Date.now();
		const r = await http.post(`${emu.urls.iam}/api/v1/oauth/token/`, {}, { responseType: 'text', transformResponse: (x: unknown) => x });
		expect(r.status).toBe(200);
		expect(String(r.data)).toBe('{    ');
		expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
	});

	test('check faults apply to verify_token', async () => {
		emu.control.injectFault({ service: 'iam', endpoint: 'check', count: 1, fault: { type: 'status', status: 503 } });
		const r = await http.get(`${emu.urls.iam}/api/v1/oauth/verify_token/?client_id=FortiSASE`);
		expect(r.status).toBe(503);
	});
});
