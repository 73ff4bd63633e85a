import type { Emulator } from './index';
import { javaDouble } from './casb';
import { client, decodeJwtPayload, DEMO_ACCOUNTS, emulator, form, sleep } from './helpers';

const http = client();
let emu: Emulator;

beforeAll(async () => {
	emu = await emulator({ lifetimes: { cwp: 3600 } });
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => {
	emu.control.reset();
	emu.control.setLifetime('casb', 3600);
	emu.control.setLifetime('cwp', 3600);
});

test('javaDouble writes epoch ms like Java Double.toString', () => {
	expect(javaDouble(1585002117836)).toBe('1.585002117836E12');
	expect(javaDouble(1585002117800)).toBe('1.5850021178E12');
	expect(javaDouble(1000000000000)).toBe('1.0E12');
});

describe.each(['casb', 'cwp'] as const)('%s auth service', (svc) => {
	const account = DEMO_ACCOUNTS[svc];
	const url = (path: string) => `${emu.urls[svc]}${path}`;
	const passwordGrant = () =>
		http.post(url('/api/v1/auth/token'), form({ grant_type: 'password', username: account.username, password: account.password }), {
			transformResponse: (x: string) => x,
		});
	const resourceMap = (token: string) =>
		http.get(url('/api/v1/resourceURLMap'), { headers: { Authorization: `Bearer ${token}` } });

	test('password grant: shape, expires as exponent-notation epoch ms that agrees with the JWT exp', async () => {
		const before = Date.now();
		const r = await passwordGrant();
		expect(r.status).toBe(200);
		const raw = r.data as string;
		expect(raw).toMatch(/"expires":\d\.\d+E12[,}]/);
		const body = JSON.parse(raw) as Record<string, unknown>;
		expect(Object.keys(body).sort()).toEqual(['access_token', 'expires', 'refresh_token', 'token_type']);
		expect(body.token_type).toBe('bearer');
		const expires = body.expires as number;
		expect(expires).toBeGreaterThanOrEqual(before + 3600_000);
		expect(expires).toBeLessThan(Date.now() + 3600_000 + 1000);
		const token = body.access_token as string;
		expect(token.split('.')).toHaveLength(3);
		const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as unknown;
		expect(header).toEqual({ typ: 'JWT', alg: 'HS256' });
		const payload = decodeJwtPayload(token);
		expect(payload.iss).toBe('fauth-server');
		expect(payload.aid).toBe(account.username);
		expect(payload.exp).toBe(Math.floor(expires / 1000));
		expect(typeof body.refresh_token).toBe('string');
		expect((body.refresh_token as string).length).toBeGreaterThan(100);
	});

	test('Basic credential grant: credential as-is, not base64(user:pass)', async () => {
		const ok = await http.post(url('/api/v1/auth/credentials/token/'), 'grant_type=client_credentials', {
			headers: { Authorization: `Basic ${account.apiCredential}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		expect(ok.status).toBe(200);
		expect(ok.data.token_type).toBe('bearer');
		expect(typeof ok.data.access_token).toBe('string');
		expect(typeof ok.data.refresh_token).toBe('string');
		expect((await resourceMap(ok.data.access_token)).status).toBe(200);
		const userKey = `credential:${account.apiCredential.slice(0, 8)}`;
		expect(emu.control.stats()[svc].users[userKey].logins).toBe(1);
		expect(emu.control.activeToken(svc, userKey)).toBe(ok.data.access_token);

		const b64 = Buffer.from(`${account.username}:${account.password}`).toString('base64');
		const wrong = await http.post(url('/api/v1/auth/credentials/token/'), 'grant_type=client_credentials', {
			headers: { Authorization: `Basic ${b64}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		expect(wrong.status).toBe(401);
		expect(wrong.data.error).toBe('invalid_grant');
		const none = await http.post(url('/api/v1/auth/credentials/token/'), 'grant_type=client_credentials', {
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		expect(none.status).toBe(401);
	});

	test('refresh: new access token, no refresh_token, several tokens valid at once', async () => {
		const login = JSON.parse((await passwordGrant()).data as string) as Record<string, string>;
		await sleep(5); // distinct issue time
		const r = await http.post(url('/api/v1/auth/token/refresh'), form({ grant_type: 'refresh_token', refresh_token: login.refresh_token }));
		expect(r.status).toBe(200);
		expect(Object.keys(r.data).sort()).toEqual(['access_token', 'expires', 'token_type']);
		expect(r.data.access_token).not.toBe(login.access_token);
		expect(decodeJwtPayload(r.data.access_token).exp).toBe(Math.floor(r.data.expires / 1000));
		// no one-active-token rule: both the old and the new token work, and so does a second login
		const second = JSON.parse((await passwordGrant()).data as string) as Record<string, string>;
		for (const t of [login.access_token, r.data.access_token, second.access_token]) {
			expect((await resourceMap(t)).status).toBe(200);
		}
		// the refresh token is reusable (not rotated)
		expect((await http.post(url('/api/v1/auth/token/refresh'), form({ grant_type: 'refresh_token', refresh_token: login.refresh_token }))).status).toBe(200);
		const bad = await http.post(url('/api/v1/auth/token/refresh'), form({ grant_type: 'refresh_token', refresh_token: 'nope' }));
		expect(bad.status).toBe(401);
		expect(bad.data.error).toBe('invalid_grant');
		const stats = emu.control.stats()[svc];
		expect(stats.logins).toBe(2);
		expect(stats.refreshes).toBe(2);
		expect(stats.failedRefreshes).toBe(1);
		expect(stats.users[account.username].refreshes).toBe(2);
	});

	test('wrong password → 401 invalid_grant; wrong content type / missing grant → 400', async () => {
		const bad = await http.post(url('/api/v1/auth/token'), form({ grant_type: 'password', username: account.username, password: 'x' }));
		expect(bad.status).toBe(401);
		expect(bad.data).toEqual({ error: 'invalid_grant', error_description: 'Bad credentials' });
		const json = await http.post(url('/api/v1/auth/token'), { grant_type: 'password', username: account.username, password: account.password });
		expect(json.status).toBe(400);
		expect(json.data.error).toBe('invalid_request');
		const noGrant = await http.post(url('/api/v1/auth/token'), form({ username: account.username, password: account.password }));
		expect(noGrant.status).toBe(400);
		const wrongGrant = await http.post(url('/api/v1/auth/token'), form({ grant_type: 'client_credentials' }));
		expect(wrongGrant.status).toBe(400);
		expect(wrongGrant.data.error).toBe('unsupported_grant_type');
	});

	test('resourceURLMap: success envelope with own URL; 401 body for bad/expired token', async () => {
		const login = JSON.parse((await passwordGrant()).data as string) as Record<string, string>;
		const ok = await resourceMap(login.access_token);
		expect(ok.data).toEqual({
			data: { resourceURL: emu.urls[svc], roleId: 1, buMapSet: [{ buId: 1, companyId: 1 }], companyMapSet: [{ companyId: 1 }] },
			code: 0,
			msg: 'success',
			httpCode: 200,
		});
		const no = await resourceMap('eyJ.bogus.token');
		expect(no.status).toBe(401);
		expect(no.data).toEqual({ code: 401, msg: 'unauthorized', message: 'Invalid or expired token', httpCode: 401 });
		const s = emu.control.stats()[svc];
		expect(s.apiAccepted).toBe(1);
		expect(s.apiRejected).toBe(1);
		expect(s.authorizations).toEqual([`Bearer ${login.access_token}`, 'Bearer eyJ.bogus.token']);
	});

	test('lifetime override: accepted, then rejected after expiry; refresh revives', async () => {
		emu.control.setLifetime(svc, 1);
		const login = JSON.parse((await passwordGrant()).data as string) as Record<string, string | number>;
		expect(login.expires as number).toBeLessThanOrEqual(Date.now() + 1000);
		expect((await resourceMap(login.access_token as string)).status).toBe(200);
		await sleep(1100);
		expect((await resourceMap(login.access_token as string)).status).toBe(401);
		const r = await http.post(url('/api/v1/auth/token/refresh'), form({ grant_type: 'refresh_token', refresh_token: login.refresh_token as string }));
		expect((await resourceMap(r.data.access_token)).status).toBe(200);
	});
});

test('CASB and CWP keep separate accounts and tokens', async () => {
	const casb = await http.post(
		`${emu.urls.casb}/api/v1/auth/token`,
		form({ grant_type: 'password', username: DEMO_ACCOUNTS.casb.username, password: DEMO_ACCOUNTS.casb.password }),
	);
	const cross = await http.post(
		`${emu.urls.cwp}/api/v1/auth/token`,
		form({ grant_type: 'password', username: DEMO_ACCOUNTS.casb.username, password: DEMO_ACCOUNTS.casb.password }),
	);
	expect(cross.status).toBe(401);
	const onCwp = await http.get(`${emu.urls.cwp}/api/v1/resourceURLMap`, { headers: { Authorization: `Bearer ${casb.data.access_token}` } });
	expect(onCwp.status).toBe(401);
});

test('credential-only user added at runtime', async () => {
	const cred = '0badc0de-1111-4222-8333-444455556666';
	emu.control.addUser('cwp', { apiCredential: cred });
	const r = await http.post(`${emu.urls.cwp}/api/v1/auth/credentials/token/`, 'grant_type=client_credentials', {
		headers: { Authorization: `Basic ${cred}`, 'Content-Type': 'application/x-www-form-urlencoded' },
	});
	expect(r.status).toBe(200);
	expect(emu.control.stats().cwp.users['credential:0badc0de'].logins).toBe(1);
});
