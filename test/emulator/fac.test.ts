/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
import axios from 'axios';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { Emulator } from './index';
import { client, DEMO_ACCOUNTS, emulator } from './helpers';

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

const login = () => http.post(`${emu.urls.fac}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac);
const status = (token: string) => http.get(`${emu.urls.fac}/api/fabric/device/status`, { headers: { Authorization: `Bearer ${token}` } });

describe('FortiAuthenticator TLS', () => {
	test('refused without the CA (self-signed)', async () => {
		const plain = axios.create({ httpsAgent: new https.Agent({ keepAlive: false }) });
		await expect(plain.post(`${emu.urls.fac}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac)).rejects.toMatchObject({
			code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/),
		});
	});

	test('accepted with ca: caCertificate, and with rejectUnauthorized:false', async () => {
		expect((await login()).status).toBe(200);
		const insecure = axios.create({ httpsAgent: new https.Agent({ keepAlive: false, rejectUnauthorized: false }) });
		expect((await insecure.post(`${emu.urls.fac}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac)).status).toBe(200);
	});

	test('certificate names localhost and 127.0.0.1', async () => {
		const port = Number(new URL(emu.urls.fac).port);
		const cert = await new Promise<tls.PeerCertificate>((resolve, reject) => {
			const s = tls.connect({ host: '127.0.0.1', port, ca: emu.caCertificate, servername: 'localhost' }, () => {
				const c = s.getPeerCertificate();
				s.end();
				resolve(c);
			});
			s.on('error', reject);
		});
		expect(cert.subjectaltname).toContain('IP Address:127.0.0.1');
		expect(cert.subjectaltname).toContain('DNS:localhost');
		const viaName = axios.create({ httpsAgent: new https.Agent({ keepAlive: false, ca: emu.caCertificate }), validateStatus: () => true });
		expect((await viaName.post(`https://localhost:${port}/api/fabric/authenticate`, DEMO_ACCOUNTS.fac)).status).toBe(200);
	});
});

describe('FortiAuthenticator fabric token', () => {
	test('login shape: expires_in 0, 30-char tokens, scope read, success "true"', async () => {
		const r = await login();
		expect(r.data).toEqual({
			access_token: expect.stringMatching(/^[A-Za-z0-9]{30}$/),
			expires_in: 0,
			message: 'successfully authenticated',
			refresh_token: expect.stringMatching(/^[A-Za-z0-9]{30}$/),
			scope: 'read',
			success: 'true',
			token_type: 'Bearer',
		});
		const s = await status(r.data.access_token);
		expect(s.status).toBe(200);
		expect(s.data).toMatchObject({ success: 'true', serial: 'FAC-VMTM00000000', version: '6.6.1' });
	});

	test('refresh: new pair, message, old pair invalid', async () => {
		const first = (await login()).data;
		const r = await http.post(`${emu.urls.fac}/api/fabric/authenticate`, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
		expect(r.status).toBe(200);
		expect(r.data.message).toBe('Token has been refreshed successfully');
		expect(r.data.expires_in).toBe(0);
		expect(r.data.access_token).not.toBe(first.access_token);
		expect(r.data.refresh_token).not.toBe(first.refresh_token);
		expect((await status(first.access_token)).status).toBe(401);
		expect((await status(r.data.access_token)).status).toBe(200);
		const reuse = await http.post(`${emu.urls.fac}/api/fabric/authenticate`, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
		expect(reuse.status).toBe(401);
		expect(reuse.data.error).toBe('invalid_grant');
		const stats = emu.control.stats().fac;
		expect(stats.logins).toBe(1);
		expect(stats.refreshes).toBe(1);
		expect(stats.failedRefreshes).toBe(1);
		expect(stats.users[DEMO_ACCOUNTS.fac.username].refreshes).toBe(1);
	});

	test('a new login replaces the previous pair (inferred)', async () => {
		const a = (await login()).data;
		const b = (await login()).data;
		expect((await status(a.access_token)).status).toBe(401);
		expect((await status(b.access_token)).status).toBe(200);
		expect(emu.control.activeToken('fac', DEMO_ACCOUNTS.fac.username)).toBe(b.access_token);
	});

	test('bad credentials → 401 invalid_grant; missing fields / bad JSON → 400', async () => {
		const bad = await http.post(`${emu.urls.fac}/api/fabric/authenticate`, { username: DEMO_ACCOUNTS.fac.username, password: 'x' });
		expect(bad.status).toBe(401);
		expect(bad.data).toEqual({ error: 'invalid_grant', detail: 'Invalid credentials' });
		expect((await http.post(`${emu.urls.fac}/api/fabric/authenticate`, { username: 'a' })).status).toBe(400);
		const badJson = await http.post(`${emu.urls.fac}/api/fabric/authenticate`, '{oops', { headers: { 'Content-Type': 'application/json' } });
		expect(badJson.status).toBe(400);
	});

	test('device/status rejection body; tokens never expire by time, only via expireAll/revokeAll', async () => {
		const no = await status('nope');
		expect(no.status).toBe(401);
		expect(no.data).toEqual({ detail: 'Invalid token.' });
		const t = (await login()).data;
		emu.control.expireAll('fac');
		expect((await status(t.access_token)).status).toBe(401);
		const r = await http.post(`${emu.urls.fac}/api/fabric/authenticate`, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
		expect(r.status).toBe(200);
		emu.control.revokeAll('fac');
		expect((await status(r.data.access_token)).status).toBe(401);
		const r2 = await http.post(`${emu.urls.fac}/api/fabric/authenticate`, { grant_type: 'refresh_token', refresh_token: r.data.refresh_token });
		expect(r2.status).toBe(401);
	});
});
