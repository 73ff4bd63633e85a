/* eslint-disable @n8n/community-nodes/no-deprecated-workflow-functions -- test code: n8n's legacy request options are what the HTTP Request node passes */
/**
 * FortiClient EMS, FortiMail (FortiRecorder, FortiVoice), FortiADC and FortiSandbox beyond their
 * rows in the shared tables (test/support/services.ts): CSRF and Referer on EMS writes, EMS Cloud,
 * FortiMail's banner, lockout and session cap, FortiVoice's login, FortiADC's API key, FortiSandbox
 * PaaS, and the Fortinet Token node's Get / Refresh / Revoke. Through n8n-core's real
 * requestWithAuthentication against the emulated appliances over HTTPS, with what they saw.
 */
import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, INodeParameters, IRequestOptions } from 'n8n-workflow';

import { FortiAdcApi } from '../../credentials/FortiAdcApi.credentials';
import { FortiClientEmsApi } from '../../credentials/FortiClientEmsApi.credentials';
import { FortiMailApi } from '../../credentials/FortiMailApi.credentials';
import { FortiSandboxApi } from '../../credentials/FortiSandboxApi.credentials';
import { SERVICES, testCredential } from '../../credentials/engine';
import { clearTokenCache } from '../../credentials/engine/testing';
import type { EmulatedService } from '../emulator';
import { userCounters } from '../emulator';
import { runNode } from '../node/context';
import { useEmulator } from '../support/emulator';
import { SERVICE_CASES } from '../support/services';
import { errorOf, shown } from '../support/errors';
import { Execution, n8nHelpers, StoredCredential } from '../support/n8n';

const emulator = useEmulator({ settings: { peerWaitMs: 0 } });

let counter = 0;
interface Admin {
	username: string;
	password: string;
	apiCredential: string;
}

function newAdmin(service: EmulatedService): Admin {
	counter++;
	const suffix = `${counter}-${Math.random().toString(36).slice(2, 10)}`;
	const admin = { username: `admin-${suffix}@example.com`, password: `pw-${suffix}`, apiCredential: `key-${suffix}-xxxxxxxxxxxxxxxx` };
	emulator.control.addUser(service, admin);
	return admin;
}

const seen = (service: EmulatedService, admin: Admin) => userCounters(emulator.control.stats(), service, admin.username);
const open = (service: EmulatedService, admin: Admin) => emulator.control.openSessions(service, admin.username);
const tls = () => ({ ignoreSSLIssues: false, caCertificate: emulator.caCertificate });

async function many(stored: StoredCredential, count: number, request: IRequestOptions): Promise<PromiseSettledResult<unknown>[]> {
	return await Promise.allSettled(Array.from({ length: count }, async () => await new Execution(stored).request(request)));
}
const failed = (results: PromiseSettledResult<unknown>[]) => results.filter((result) => result.status === 'rejected');

async function node(type: string, stored: StoredCredential, operation: string, options: INodeParameters = {}): Promise<IDataObject> {
	const output = await runNode({ parameters: { service: type, operation, options }, credentials: { [type]: stored.load() } });
	return output[0].json;
}

describe('FortiClient EMS on premises', () => {
	const url = (path: string) => `${emulator.urls.ems}${path}`;
	const credential = (admin: Admin, extra: ICredentialDataDecryptedObject = {}) =>
		new StoredCredential(new FortiClientEmsApi(), { deployment: 'onPremises', baseUrl: emulator.urls.ems, username: admin.username, password: admin.password, ...tls(), ...extra });
	const tag = (headers: IDataObject = {}): IRequestOptions => ({ uri: url('/api/v1/endpoints/tag'), method: 'POST', body: { tag: 'n8n' }, headers, json: true });

	test('a write carries the CSRF token and the EMS origin as Referer; the user\'s Cookie is kept, a forged CSRF header gives way', async () => {
		const admin = newAdmin('ems');
		const stored = credential(admin);
		expect(await new Execution(stored).request(tag())).toMatchObject({ result: { retval: 1 } });
		expect(await new Execution(stored).request(tag({ Cookie: 'lang=en', 'x-csrftoken': 'forged', Referer: 'https://elsewhere.example.com/' }))).toMatchObject({ result: { retval: 1 } });
		expect(seen('ems', admin)).toMatchObject({ logins: 1, apiAccepted: 2, apiRejected: 0 });
		const last = seen('ems', admin).authorizations.at(-1) ?? '';
		expect(last).toBe(`Cookie lang=en; ${String(stored.data.sessionToken)}`);
	});

	test('the node: Get outputs the session and the headers that go with it; Refresh logs the old one out; Revoke signs out', async () => {
		const admin = newAdmin('ems');
		const stored = credential(admin);
		const got = await node('fortiClientEmsApi', stored, 'getToken');
		const session = String(got.session);
		expect(got.headers).toEqual({ Cookie: session, 'X-CSRFToken': expect.stringMatching(/^[A-Za-z0-9]{32}$/) as unknown as string, Referer: `${new URL(emulator.urls.ems).origin}/` });
		const refreshed = await node('fortiClientEmsApi', stored, 'refreshToken');
		expect(refreshed.session).not.toBe(session);
		expect(open('ems', admin)).toBe(1);
		expect(await node('fortiClientEmsApi', stored, 'revokeToken')).toMatchObject({ revoked: true, hadToken: true });
		expect(open('ems', admin)).toBe(0);
		expect(seen('ems', admin)).toMatchObject({ logins: 2, revokes: 2 });
	});

	test('50 concurrent executions under a cap of one session: all succeed, one login', async () => {
		emulator.control.configureAppliance('ems', { maxSessions: 1 });
		try {
			// The cap counts every administrator's sessions: the earlier tests' are ended.
			clearTokenCache();
			emulator.control.revokeAll('ems');
			const admin = newAdmin('ems');
			expect(failed(await many(credential(admin), 50, { uri: url('/api/v1/endpoints/index'), method: 'GET', json: true }))).toEqual([]);
			expect(seen('ems', admin)).toMatchObject({ logins: 1, apiAccepted: 50 });
		} finally {
			emulator.control.configureAppliance('ems', { maxSessions: 100 });
		}
	});
});

describe('FortiClient EMS Cloud', () => {
	const url = (path: string) => `${emulator.urls.emsCloud}${path}`;
	const endpoints = (): IRequestOptions => ({ uri: url('/api/public/v1/endpoints/'), method: 'GET', json: true });
	const credential = (admin: Admin, extra: ICredentialDataDecryptedObject = {}) =>
		new StoredCredential(new FortiClientEmsApi(), { deployment: 'cloud', cloudUrl: emulator.urls.emsCloud, accountEmail: admin.username, apiKey: admin.apiCredential, ...extra });

	test('one session_id for 50 executions, sent as the bare Authorization header; killed from outside, one new login', async () => {
		const admin = newAdmin('emsCloud');
		const stored = credential(admin);
		expect(failed(await many(stored, 50, endpoints()))).toEqual([]);
		const session = emulator.control.activeToken('emsCloud', admin.username);
		expect(new Set(seen('emsCloud', admin).authorizations)).toEqual(new Set([session]));
		expect(String(stored.data.sessionToken)).toBe(`@authorization=${session}`);
		emulator.control.revokeAll('emsCloud');
		expect(failed(await many(stored, 10, endpoints()))).toEqual([]);
		expect(seen('emsCloud', admin)).toMatchObject({ logins: 2, apiAccepted: 60 });
		expect(await node('fortiClientEmsApi', stored, 'revokeToken')).toMatchObject({ revoked: true });
		expect(open('emsCloud', admin)).toBe(0);
	});

	test('a wrong access key: one refused login for many executions, a message naming the fields, no secret', async () => {
		const admin = newAdmin('emsCloud');
		const wrong = credential(admin, { apiKey: 'definitely-wrong-access-key' });
		const results = failed(await many(wrong, 5, endpoints()));
		expect(results).toHaveLength(5);
		const text = shown((results[0] as PromiseRejectedResult).reason as Error);
		expect(text).toMatch(/FortiClient EMS rejected the credentials .*Account Email and Access Key/);
		expect(text).not.toContain('definitely-wrong-access-key');
		expect(emulator.control.stats().emsCloud.failedLogins).toBe(1);
	});
});

describe('FortiMail, FortiRecorder, FortiVoice', () => {
	const url = (path: string) => `${emulator.urls.fml}${path}`;
	const domains = (): IRequestOptions => ({ uri: url('/api/v1/Domain/'), method: 'GET', json: true });
	const credential = (admin: Admin, extra: ICredentialDataDecryptedObject = {}) =>
		new StoredCredential(new FortiMailApi(), { product: 'fortiMail', baseUrl: emulator.urls.fml, username: admin.username, password: admin.password, ...tls(), ...extra });

	test('FortiVoice logs in at VoiceadminLogin; FortiRecorder at AdminLogin; each one session', async () => {
		for (const product of ['fortiVoice', 'fortiRecorder']) {
			const admin = newAdmin('fml');
			expect(failed(await many(credential(admin, { product }), 10, domains()))).toEqual([]);
			expect(seen('fml', admin)).toMatchObject({ logins: 1, apiAccepted: 10 });
		}
	});

	test('a post-login banner is accepted (the login again with reqAction 7): one session', async () => {
		emulator.control.configureAppliance('fml', { banner: true });
		try {
			const admin = newAdmin('fml');
			expect(failed(await many(credential(admin), 10, domains()))).toEqual([]);
			expect(seen('fml', admin)).toMatchObject({ logins: 1, apiAccepted: 10 });
		} finally {
			emulator.control.configureAppliance('fml', { banner: false });
		}
	});

	test('a wrong password: one failed login, Force New Login refused before the lockout (3) is reached', async () => {
		const admin = newAdmin('fml');
		const wrong = credential(admin, { password: 'definitely-wrong' });
		expect(failed(await many(wrong, 10, domains()))).toHaveLength(10);
		for (let i = 0; i < 3; i++) await errorOf(node('fortiMailApi', wrong, 'getToken', { forceNewLogin: true }));
		expect(emulator.control.stats().fml.failedLogins).toBe(2);
		expect(emulator.control.stats().fml.rateLimited).toBe(0);
	});

	test('a full session table is said plainly (not a wrong password), and the next execution logs in once a session is free', async () => {
		emulator.control.configureAppliance('fml', { maxSessions: 1 });
		try {
			clearTokenCache();
			emulator.control.revokeAll('fml');
			const other = credential(newAdmin('fml'));
			await new Execution(other).request(domains());
			const admin = newAdmin('fml');
			const stored = credential(admin);
			const error = await errorOf(new Execution(stored).request(domains()));
			expect(shown(error)).toMatch(/FortiMail \/ FortiRecorder \/ FortiVoice has no free session for n8n \(.*maximum number of REST API sessions.*\)\. Log idle sessions out, or raise max-active-session-restful/);
			expect(shown(error)).not.toMatch(/rejected the credentials/);
			await node('fortiMailApi', other, 'revokeToken');
			await new Execution(stored).request(domains());
			expect(seen('fml', admin)).toMatchObject({ logins: 1, apiAccepted: 1 });
		} finally {
			emulator.control.configureAppliance('fml', { maxSessions: 100 });
		}
	});

	test('50 concurrent executions under the REST session cap (here 1): all succeed, one login', async () => {
		emulator.control.configureAppliance('fml', { maxSessions: 1 });
		try {
			clearTokenCache();
			emulator.control.revokeAll('fml');
			const admin = newAdmin('fml');
			expect(failed(await many(credential(admin), 50, domains()))).toEqual([]);
			expect(seen('fml', admin)).toMatchObject({ logins: 1, apiAccepted: 50 });
		} finally {
			emulator.control.configureAppliance('fml', { maxSessions: 100 });
		}
	});
});

describe('FortiADC', () => {
	const url = (path: string) => `${emulator.urls.adc}${path}`;
	const servers = (): IRequestOptions => ({ uri: url('/api/load_balance_virtual_server'), method: 'GET', json: true });
	const keyCredential = (key: string) => new StoredCredential(new FortiAdcApi(), { baseUrl: emulator.urls.adc, authentication: 'apiKey', apiKey: key, ...tls() });

	test('an API key goes in APITOKEN, never as Authorization; the Test proves it; a wrong one is named without the key', async () => {
		const admin = newAdmin('adc');
		const stored = keyCredential(admin.apiCredential);
		expect(await new Execution(stored).request(servers())).toMatchObject({ payload: [{ mkey: 'vs-web' }] });
		expect(seen('adc', admin).authorizations).toEqual([`APITOKEN ${admin.apiCredential}`]);
		expect(await testCredential(SERVICES.fortiAdcApi, stored.load(), n8nHelpers)).toMatchObject({ status: 'OK' });
		const error = await errorOf(new Execution(keyCredential('definitely-wrong-key')).request(servers()));
		expect(shown(error)).not.toContain('definitely-wrong-key');
		const got = await node('fortiAdcApi', stored, 'getToken');
		expect(JSON.stringify(got)).not.toContain(admin.apiCredential);
	});

	test('the node: Get outputs the token and cookie headers; Revoke logs out', async () => {
		const admin = newAdmin('adc');
		const stored = new StoredCredential(new FortiAdcApi(), { baseUrl: emulator.urls.adc, authentication: 'session', username: admin.username, password: admin.password, ...tls() });
		const got = await node('fortiAdcApi', stored, 'getToken');
		const token = emulator.control.activeToken('adc', admin.username);
		expect(got.headers).toEqual({ Authorization: `Bearer ${token}`, Cookie: expect.stringMatching(/^ADC_SESSION=/) as unknown as string });
		expect(await new Execution(stored).request(servers())).toMatchObject({ payload: [{ mkey: 'vs-web' }] });
		expect(await node('fortiAdcApi', stored, 'revokeToken')).toMatchObject({ revoked: true });
		expect(open('adc', admin)).toBe(0);
		expect(seen('adc', admin)).toMatchObject({ logins: 1, revokes: 1, apiAccepted: 1 });
	});
});

describe('FortiSandbox PaaS', () => {
	const status = (): IRequestOptions => ({ uri: `${emulator.urls.fsa}/jsonrpc`, method: 'POST', body: { id: 1, ver: '2.5', method: 'get', params: [{ url: '/sys/status' }] }, json: true });
	const credential = (token: string) => new StoredCredential(new FortiSandboxApi(), { baseUrl: emulator.urls.fsa, authentication: 'token', apiToken: token, ...tls() });

	test('an API token is exchanged once for a session that goes into every body', async () => {
		const admin = newAdmin('fsa');
		const stored = credential(admin.apiCredential);
		const answers = (await Promise.all(Array.from({ length: 20 }, async () => await new Execution(stored).request(status())))) as Array<{ result: { status: { code: number } } }>;
		expect(answers.map((answer) => answer.result.status.code)).toEqual(Array(20).fill(0));
		expect(seen('fsa', admin).logins).toBe(1);
		expect(open('fsa', admin)).toBe(1);
	});

	test('a wrong token: one refused exchange, a clear message, no token in it', async () => {
		const wrong = credential('definitely-wrong-token');
		const before = emulator.control.stats().fsa.failedLogins;
		const errors = await Promise.all(Array.from({ length: 5 }, async () => await errorOf(new Execution(wrong).request(status()))));
		expect(shown(errors[0])).toMatch(/FortiSandbox refused the login/);
		expect(shown(errors[0])).not.toContain('definitely-wrong-token');
		expect(emulator.control.stats().fsa.failedLogins - before).toBe(1);
	});
});

describe('the Fortinet Token node on every appliance session', () => {
	const cases: Array<{ type: string; emulated: 'ems' | 'fml' | 'adc'; make: () => ICredentialType; extra: ICredentialDataDecryptedObject }> = [
		{ type: 'fortiClientEmsApi', emulated: 'ems', make: () => new FortiClientEmsApi(), extra: { deployment: 'onPremises' } },
		{ type: 'fortiMailApi', emulated: 'fml', make: () => new FortiMailApi(), extra: { product: 'fortiMail' } },
		{ type: 'fortiAdcApi', emulated: 'adc', make: () => new FortiAdcApi(), extra: { authentication: 'session' } },
	];

	test.each(cases)('$type: Get hands out the live session; Refresh opens a new one and logs the old out; Revoke logs out; the next call logs in', async ({ type, emulated, make, extra }) => {
		const admin = newAdmin(emulated);
		const stored = new StoredCredential(make(), { baseUrl: emulator.urls[emulated], username: admin.username, password: admin.password, ...tls(), ...extra });
		const resource = SERVICE_CASES.find((row) => row.type === type)!.resource(emulator);
		await new Execution(stored).request(resource);
		const got = await node(type, stored, 'getToken');
		expect(got).toMatchObject({ fromCache: true, session: stored.data.sessionToken });
		const refreshed = await node(type, stored, 'refreshToken');
		expect(refreshed.session).not.toBe(got.session);
		expect(open(emulated, admin)).toBe(1);
		expect(await node(type, stored, 'revokeToken')).toMatchObject({ revoked: true, hadToken: true });
		expect(open(emulated, admin)).toBe(0);
		// The execution still holds the logged-out session: n8n's retry brings one login, no failure.
		await new Execution(stored).request(resource);
		expect(seen(emulated, admin)).toMatchObject({ logins: 3, revokes: 2, apiAccepted: 2 });
	});
});
