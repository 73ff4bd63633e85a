import type { Emulator } from './index';
import { client, DEMO_ACCOUNTS, emulator, iamLogin, iamRefresh, sleep } from './helpers';

const http = client();
let emu: Emulator;

beforeAll(async () => {
	emu = await emulator();
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => {
	emu.control.reset();
	// reset() keeps config: put back what individual tests change
	emu.control.setRefreshRotation(true);
	emu.control.setLifetime('fortilancloud', 14400);
	emu.control.setRateLimit('fortilancloud', { max: 6, windowMs: 60_000 });
	emu.control.setRateLimit('FortiSASE', null);
});

const switches = (token: string) =>
	http.get(`${emu.urls.iam}/api/v1/switches`, { headers: { Authorization: `Bearer ${token}` } });

describe('IAM password grant', () => {
	test('success shape, 30-char opaque tokens, default lifetimes per client_id', async () => {
		const r = await iamLogin(http, emu, 'FortiSASE');
		expect(r.status).toBe(200);
		expect(r.data).toEqual({
			access_token: expect.stringMatching(/^[A-Za-z0-9]{30}$/),
			expires_in: 3600,
			token_type: 'Bearer',
			scope: 'read write',
			refresh_token: expect.stringMatching(/^[A-Za-z0-9]{30}$/),
			message: 'successfully authenticated',
			status: 'success',
		});
		expect((await iamLogin(http, emu, 'fortilancloud')).data.expires_in).toBe(14400);
		expect((await iamLogin(http, emu, 'fortiedgecloud')).data.expires_in).toBe(14400);
		expect((await iamLogin(http, emu, 'flexvm')).data.expires_in).toBe(3600);
	});

	test('bad password and unknown user: 400 invalid_grant', async () => {
		const bad = await iamLogin(http, emu, 'FortiSASE', { username: DEMO_ACCOUNTS.iam.username, password: 'nope' });
		expect(bad.status).toBe(400);
		expect(bad.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid credentials given.' });
		const unknown = await iamLogin(http, emu, 'FortiSASE', { username: 'nobody', password: 'x' });
		expect(unknown.status).toBe(400);
		expect(unknown.data.error).toBe('invalid_grant');
		expect(emu.control.stats().iam.failedLogins).toBe(2);
		expect(emu.control.stats().iam.users[`${DEMO_ACCOUNTS.iam.username}/FortiSASE`].failedLogins).toBe(1);
	});

	test('unknown client_id: 401 "Unexpected error has happened"', async () => {
		const r = await iamLogin(http, emu, 'fortisase'); // case matters
		expect(r.status).toBe(401);
		expect(r.data).toEqual({ error: 'Unexpected error has happened', status: 'failure' });
	});

	test('missing fields, unsupported grant, bad JSON, wrong content type: 400 with error', async () => {
		const url = `${emu.urls.iam}/api/v1/oauth/token/`;
		const noClient = await http.post(url, { username: 'a', password: 'b', grant_type: 'password' });
		expect(noClient.status).toBe(400);
		expect(noClient.data.error).toBeDefined();
		const noUser = await http.post(url, { password: 'b', client_id: 'FortiSASE', grant_type: 'password' });
		expect(noUser.status).toBe(400);
		expect(noUser.data.error).toBe('invalid_request');
		const grant = await http.post(url, { client_id: 'FortiSASE', grant_type: 'client_credentials' });
		expect(grant.status).toBe(400);
		expect(grant.data.error).toBe('unsupported_grant_type');
		const badJson = await http.post(url, '{"username": ', { headers: { 'Content-Type': 'application/json' } });
		expect(badJson.status).toBe(400);
		expect(badJson.data.error).toBe('invalid_request');
		const arrayJson = await http.post(url, '[1,2]', { headers: { 'Content-Type': 'application/json' } });
		expect(arrayJson.status).toBe(400);
		const text = await http.post(url, 'hello', { headers: { 'Content-Type': 'text/plain' } });
		expect(text.status).toBe(400);
		const get = await http.get(url);
		expect(get.status).toBe(405);
	});
});

describe('IAM one active token per (API user, client_id)', () => {
	test('login #2 kills token #1 at the protected resource; other client_ids unaffected', async () => {
		const first = (await iamLogin(http, emu, 'fortilancloud')).data;
		const sase = (await iamLogin(http, emu, 'FortiSASE')).data;
		expect((await switches(first.access_token)).status).toBe(200);
		const second = (await iamLogin(http, emu, 'fortilancloud')).data;
		const dead = await switches(first.access_token);
		expect(dead.status).toBe(401);
		expect((await switches(second.access_token)).status).toBe(200);
		// the old refresh token went with the old pair
		expect((await iamRefresh(http, emu, 'fortilancloud', first.refresh_token)).status).toBe(400);
		const saseOk = await http.get(`${emu.urls.iam}/resource-api/v2/endpoints`, {
			headers: { Authorization: `Bearer ${sase.access_token}` },
		});
		expect(saseOk.status).toBe(200);
		expect(emu.control.activeToken('iam', `${DEMO_ACCOUNTS.iam.username}/fortilancloud`)).toBe(second.access_token);
	});

	test('a different API user has its own token', async () => {
		emu.control.addUser('iam', { username: 'demo-second-user', password: 'demo-pw-2' });
		const a = (await iamLogin(http, emu, 'fortilancloud')).data;
		const b = (await iamLogin(http, emu, 'fortilancloud', { username: 'demo-second-user', password: 'demo-pw-2' })).data;
		expect((await switches(a.access_token)).status).toBe(200);
		expect((await switches(b.access_token)).data.emulator).toEqual({ user: 'demo-second-user', client_id: 'fortilancloud' });
	});

	test('token of another client_id is rejected', async () => {
		const sase = (await iamLogin(http, emu, 'FortiSASE')).data;
		expect((await switches(sase.access_token)).status).toBe(401);
	});
});

describe('IAM refresh grant', () => {
	test('rotation on: new pair, previous access and refresh token dead', async () => {
		const login = (await iamLogin(http, emu, 'fortilancloud')).data;
		const r = await iamRefresh(http, emu, 'fortilancloud', login.refresh_token);
		expect(r.status).toBe(200);
		expect(r.data).toEqual({
			access_token: expect.stringMatching(/^[A-Za-z0-9]{30}$/),
			expires_in: 14400,
			token_type: 'Bearer',
			scope: 'read write',
			refresh_token: expect.stringMatching(/^[A-Za-z0-9]{30}$/),
			message: 'successfully refreshed',
			status: 'success',
		});
		expect(r.data.access_token).not.toBe(login.access_token);
		expect(r.data.refresh_token).not.toBe(login.refresh_token);
		expect((await switches(login.access_token)).status).toBe(401);
		expect((await switches(r.data.access_token)).status).toBe(200);
		const reuse = await iamRefresh(http, emu, 'fortilancloud', login.refresh_token);
		expect(reuse.status).toBe(400);
		expect(reuse.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid credentials given.' });
		const stats = emu.control.stats().iam;
		expect(stats.refreshes).toBe(1);
		expect(stats.failedRefreshes).toBe(1);
		expect(stats.users[`${DEMO_ACCOUNTS.iam.username}/fortilancloud`].refreshes).toBe(1);
	});

	test('rotation off: no refresh_token field, old refresh token stays valid', async () => {
		emu.control.setRefreshRotation(false);
		const login = (await iamLogin(http, emu, 'FortiSASE')).data;
		const r1 = await iamRefresh(http, emu, 'FortiSASE', login.refresh_token);
		expect(r1.status).toBe(200);
		expect(r1.data).not.toHaveProperty('refresh_token');
		const r2 = await iamRefresh(http, emu, 'FortiSASE', login.refresh_token);
		expect(r2.status).toBe(200);
		// each refresh still kills the previous access token
		const ep = (t: string) => http.get(`${emu.urls.iam}/resource-api/v2/endpoints`, { headers: { Authorization: `Bearer ${t}` } });
		expect((await ep(r1.data.access_token)).status).toBe(401);
		expect((await ep(r2.data.access_token)).status).toBe(200);
	});

	test('refresh token of another client_id, garbage or missing: 400', async () => {
		const login = (await iamLogin(http, emu, 'FortiSASE')).data;
		expect((await iamRefresh(http, emu, 'fortilancloud', login.refresh_token)).data.error).toBe('invalid_grant');
		expect((await iamRefresh(http, emu, 'FortiSASE', 'garbage')).status).toBe(400);
		const missing = await http.post(`${emu.urls.iam}/api/v1/oauth/token/`, { client_id: 'FortiSASE', grant_type: 'refresh_token' });
		expect(missing.status).toBe(400);
		expect(missing.data.error).toBe('invalid_request');
	});

	test('lifetime override: accepted, rejected after expiry, refresh still works', async () => {
		emu.control.setLifetime('fortilancloud', 1);
		const login = (await iamLogin(http, emu, 'fortilancloud')).data;
		expect(login.expires_in).toBe(1);
		expect((await switches(login.access_token)).status).toBe(200);
		await sleep(1100);
		expect((await switches(login.access_token)).status).toBe(401);
		expect(emu.control.activeToken('iam', `${DEMO_ACCOUNTS.iam.username}/fortilancloud`)).toBeUndefined();
		const r = await iamRefresh(http, emu, 'fortilancloud', login.refresh_token);
		expect(r.status).toBe(200);
		expect((await switches(r.data.access_token)).status).toBe(200);
	});
});

describe('IAM rate limit on auth calls', () => {
	test('fortilancloud: 7th auth call within a minute → 429 with Retry-After', async () => {
		let last = await iamLogin(http, emu, 'fortilancloud');
		for (let i = 1; i < 5; i++) last = await iamLogin(http, emu, 'fortilancloud');
		expect(last.status).toBe(200);
		// refresh counts too (6th call)
		expect((await iamRefresh(http, emu, 'fortilancloud', last.data.refresh_token)).status).toBe(200);
		const seventh = await iamLogin(http, emu, 'fortilancloud');
		expect(seventh.status).toBe(429);
		expect(seventh.data).toEqual({ error: 'rate_limited', error_description: 'Too many requests' });
		const retryAfter = Number(seventh.headers['retry-after']);
		expect(retryAfter).toBeGreaterThanOrEqual(59);
		expect(retryAfter).toBeLessThanOrEqual(60);
		// other client_ids have no default limit
		for (let i = 0; i < 8; i++) expect((await iamLogin(http, emu, 'FortiSASE')).status).toBe(200);
		const stats = emu.control.stats().iam;
		expect(stats.rateLimited).toBe(1);
		expect(stats.users[`${DEMO_ACCOUNTS.iam.username}/fortilancloud`].rateLimited).toBe(1);
	});

	test('sliding window frees a slot; custom and null limits', async () => {
		emu.control.setRateLimit('FortiSASE', { max: 2, windowMs: 800 });
		expect((await iamLogin(http, emu, 'FortiSASE')).status).toBe(200);
		expect((await iamLogin(http, emu, 'FortiSASE')).status).toBe(200);
		const limited = await iamLogin(http, emu, 'FortiSASE');
		expect(limited.status).toBe(429);
		expect(limited.headers['retry-after']).toBe('1');
		await sleep(850);
		expect((await iamLogin(http, emu, 'FortiSASE')).status).toBe(200);
		emu.control.setRateLimit('fortilancloud', null);
		for (let i = 0; i < 8; i++) expect((await iamLogin(http, emu, 'fortilancloud')).status).toBe(200);
	});
});

describe('IAM revoke', () => {
	const revoke = (body: unknown) => http.post(`${emu.urls.iam}/api/v1/oauth/revoke_token/`, body);

	test('revoking the access token: 200, token dead, idempotent, refresh token still works', async () => {
		const login = (await iamLogin(http, emu, 'fortilancloud')).data;
		const r = await revoke({ client_id: 'fortilancloud', token: login.access_token });
		expect(r.status).toBe(200);
		expect(r.data.status).toBe('success');
		expect((await switches(login.access_token)).status).toBe(401);
		const again = await revoke({ client_id: 'fortilancloud', token: login.access_token });
		expect(again.status).toBe(200);
		expect((await revoke({ client_id: 'fortilancloud', token: 'never-issued' })).status).toBe(200);
		expect((await iamRefresh(http, emu, 'fortilancloud', login.refresh_token)).status).toBe(200);
		expect(emu.control.stats().iam.revokes).toBe(3);
	});

	test('revoking the refresh token kills the pair', async () => {
		const login = (await iamLogin(http, emu, 'FortiSASE')).data;
		expect((await revoke({ client_id: 'FortiSASE', token: login.refresh_token })).status).toBe(200);
		expect((await iamRefresh(http, emu, 'FortiSASE', login.refresh_token)).status).toBe(400);
	});

	test('empty/missing token → 400; unknown client_id → 401', async () => {
		expect((await revoke({ client_id: 'fortilancloud', token: '' })).status).toBe(400);
		expect((await revoke({ client_id: 'fortilancloud' })).status).toBe(400);
		const bad = await revoke({ client_id: 'nope', token: 'abc' });
		expect(bad.status).toBe(401);
		expect(bad.data).toEqual({ error: 'Unexpected error has happened', status: 'failure' });
	});
});

describe('IAM protected resources', () => {
	test('FortiSASE endpoints: accept active token, reject with status_message body', async () => {
		const t = (await iamLogin(http, emu, 'FortiSASE')).data.access_token;
		const ok = await http.get(`${emu.urls.iam}/resource-api/v2/endpoints`, { headers: { Authorization: `Bearer ${t}` } });
		expect(ok.status).toBe(200);
		expect(ok.data.emulator).toEqual({ user: DEMO_ACCOUNTS.iam.username, client_id: 'FortiSASE' });
		const no = await http.get(`${emu.urls.iam}/resource-api/v2/endpoints`, { headers: { Authorization: 'Bearer wrong' } });
		expect(no.status).toBe(401);
		expect(no.data).toEqual({ status: 'error', status_message: 'Invalid or expired access token', code: 401 });
	});

	test('FortiLAN switches rejection body', async () => {
		const no = await http.get(`${emu.urls.iam}/api/v1/switches`);
		expect(no.status).toBe(401);
		expect(no.data).toEqual({
			error: 'invalid_token',
			error_description: 'The access token is invalid or has expired',
			status: 'failure',
		});
	});

	test('FortiFlex programs/list: accept flexvm token, reject with "Invalid security token."', async () => {
		const t = (await iamLogin(http, emu, 'flexvm')).data.access_token;
		const url = `${emu.urls.iam}/ES/api/fortiflex/v2/programs/list`;
		const ok = await http.post(url, {}, { headers: { Authorization: `Bearer ${t}` } });
		expect(ok.status).toBe(200);
		expect(ok.data.emulator.client_id).toBe('flexvm');
		const no = await http.post(url, {}, { headers: { Authorization: 'Bearer expired' } });
		expect(no.status).toBe(401);
		expect(no.data).toEqual({ status: -1, message: 'Invalid security token.', error: null });
	});

	test('generic /emulator/api/:clientId/resource for any known client_id', async () => {
		const t = (await iamLogin(http, emu, 'fortigatecloud')).data.access_token;
		const ok = await http.get(`${emu.urls.iam}/emulator/api/fortigatecloud/resource`, { headers: { Authorization: `Bearer ${t}` } });
		expect(ok.status).toBe(200);
		expect(ok.data.emulator).toEqual({ user: DEMO_ACCOUNTS.iam.username, client_id: 'fortigatecloud' });
		const wrongClient = await http.get(`${emu.urls.iam}/emulator/api/fortiztp/resource`, { headers: { Authorization: `Bearer ${t}` } });
		expect(wrongClient.status).toBe(401);
		expect(wrongClient.data.error).toBe('invalid_token');
		expect((await http.get(`${emu.urls.iam}/emulator/api/unknown/resource`)).status).toBe(404);
	});

	test('counters and Authorization values recorded in order', async () => {
		const t = (await iamLogin(http, emu, 'fortilancloud')).data.access_token;
		await switches(t);
		await switches('stale');
		await http.get(`${emu.urls.iam}/api/v1/switches`, { headers: { Authorization: `bearer ${t}` } });
		const s = emu.control.stats().iam;
		expect(s.logins).toBe(1);
		expect(s.apiAccepted).toBe(2);
		expect(s.apiRejected).toBe(1);
		expect(s.authorizations).toEqual([`Bearer ${t}`, 'Bearer stale', `bearer ${t}`]);
		const u = s.users[`${DEMO_ACCOUNTS.iam.username}/fortilancloud`];
		expect(u.apiAccepted).toBe(2);
		expect(u.authorizations).toEqual([`Bearer ${t}`, `bearer ${t}`]);
	});

	test('a knocked-out token is attributed to its user as apiRejected', async () => {
		const t1 = (await iamLogin(http, emu, 'fortilancloud')).data.access_token;
		await iamLogin(http, emu, 'fortilancloud');
		await switches(t1);
		expect(emu.control.stats().iam.users[`${DEMO_ACCOUNTS.iam.username}/fortilancloud`].apiRejected).toBe(1);
	});
});

describe('IAM verify_token (inferred from FortiAuthenticator OAuth: see README guesses)', () => {
	const verify = (token: string | undefined, clientId?: string) =>
		http.get(`${emu.urls.iam}/api/v1/oauth/verify_token/${clientId === undefined ? '' : `?client_id=${clientId}`}`, {
			headers: token ? { Authorization: `Bearer ${token}` } : {},
		});

	test('200 with the user for a live token of that client_id; 401 for a dead, foreign or missing token; 400 without client_id', async () => {
		const first = (await iamLogin(http, emu, 'fortilancloud')).data.access_token as string;
		const ok = await verify(first, 'fortilancloud');
		expect(ok.status).toBe(200);
		expect(ok.data).toMatchObject({ username: DEMO_ACCOUNTS.iam.username, client_id: 'fortilancloud', expires_in: expect.any(Number) });
		expect((await verify(first, 'FortiSASE')).status).toBe(401);
		expect((await verify(undefined, 'fortilancloud')).status).toBe(401);
		expect((await verify(first)).status).toBe(400);
		await iamLogin(http, emu, 'fortilancloud'); // one active token: the first dies
		expect((await verify(first, 'fortilancloud')).status).toBe(401);
		// Checks are no logins: not rate limited, counted apart.
		expect(emu.control.stats().iam).toMatchObject({ logins: 2, tokenChecks: 5, rateLimited: 0 });
	});

	test('a switch that does not exist is a 404 with a valid token, a 401 without', async () => {
		const token = (await iamLogin(http, emu, 'fortilancloud')).data.access_token as string;
		const known = await http.get(`${emu.urls.iam}/api/v1/switches/S108EPTF00000001`, { headers: { Authorization: `Bearer ${token}` } });
		expect(known.status).toBe(200);
		const missing = await http.get(`${emu.urls.iam}/api/v1/switches/NOPE`, { headers: { Authorization: `Bearer ${token}` } });
		expect(missing.status).toBe(404);
		expect(missing.data).toMatchObject({ error: 'not_found' });
		expect((await http.get(`${emu.urls.iam}/api/v1/switches/NOPE`)).status).toBe(401);
	});
});
