/**
 * The Fortinet Token node, run in-process with n8n-core's real HTTP helpers against the Fortinet
 * emulator over real HTTP(S).
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { clearTokenCache } from '../../credentials/engine/testing';
import { startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { Execution, StoredCredential } from '../support/n8n';
import { runNode } from './context';
import type { NodeRun, Parameters } from './context';
import { countersOf, fixture, probe, SERVICE_TYPES } from './fixtures';
import type { Fixture, ServiceType } from './fixtures';

let emulator: Emulator;

beforeAll(async () => {
	// The default FortiLAN Cloud login budget (6 a minute per client_id) would be exhausted by the
	// suite itself; rate limiting is tested with an injected 429.
	emulator = await startEmulator({ rateLimits: { fortilancloud: null, fortiedgecloud: null } });
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => {
	clearTokenCache();
	emulator.control.clearFaults();
});

const TOKEN_FIELDS = ['service', 'tokenType', 'accessToken', 'authorizationHeader', 'expiresAt', 'expiresIn', 'scope', 'fromCache'];

function run(f: Fixture, parameters: Parameters, extra: Partial<NodeRun> = {}): Promise<INodeExecutionData[]> {
	return runNode({ parameters: { service: f.type, ...parameters }, credentials: { [f.type]: f.data }, ...extra });
}

async function single(f: Fixture, parameters: Parameters): Promise<IDataObject> {
	const output = await run(f, parameters);
	expect(output).toHaveLength(1);
	expect(output[0].pairedItem).toEqual({ item: 0 });
	return output[0].json;
}

const getToken = (f: Fixture, options: INodeParameters = {}) => single(f, { operation: 'getToken', options });
const refresh = (f: Fixture, options: INodeParameters = {}) => single(f, { operation: 'refreshToken', options });
const revoke = (f: Fixture) => single(f, { operation: 'revokeToken' });

/** The error the node throws, for assertions on its class and fields. */
async function failure(promise: Promise<unknown>): Promise<NodeApiError | NodeOperationError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	if (!(error instanceof NodeApiError) && !(error instanceof NodeOperationError)) {
		throw new Error(`expected a node error, got ${String(error)}`);
	}
	return error;
}

function expectNoSecret(text: unknown, ...secrets: string[]): void {
	const serialized = JSON.stringify(text);
	for (const secret of secrets) expect(serialized).not.toContain(secret);
}

describe('Get Token', () => {
	test.each(SERVICE_TYPES)('%s: the full output, one login, then the cached token', async (type: ServiceType) => {
		const f = fixture(emulator, type);
		const before = Date.now();
		const first = await getToken(f);

		expect(Object.keys(first).sort()).toEqual([...TOKEN_FIELDS].sort());
		expect(first.service).toBe(f.label);
		expect(first.tokenType).toBe('Bearer');
		expect(typeof first.accessToken).toBe('string');
		expect(first.accessToken).toBe(emulator.control.activeToken(f.emulated, f.userKey));
		expect(first.authorizationHeader).toBe(`Bearer ${String(first.accessToken)}`);
		expect(first.scope).toBe(f.scope);
		expect(first.fromCache).toBe(false);
		if (f.lifetime === null) {
			expect(first.expiresAt).toBeNull();
			expect(first.expiresIn).toBeNull();
		} else {
			const expiresAt = first.expiresAt as string;
			expect(new Date(expiresAt).toISOString()).toBe(expiresAt);
			expect(Date.parse(expiresAt)).toBeGreaterThanOrEqual(before + f.lifetime * 1000 - 2000);
			expect(Date.parse(expiresAt)).toBeLessThanOrEqual(Date.now() + f.lifetime * 1000 + 1000);
			expect(first.expiresIn).toBeGreaterThanOrEqual(f.lifetime - 5);
			expect(first.expiresIn).toBeLessThanOrEqual(f.lifetime);
		}
		expect(countersOf(emulator, f).logins).toBe(1);
		// The token works at the service.
		expect(await probe(f, first.accessToken as string)).toBe(200);

		const second = await getToken(f);
		expect(second.fromCache).toBe(true);
		expect(second.accessToken).toBe(first.accessToken);
		expect(second.expiresAt).toBe(first.expiresAt);
		expect(countersOf(emulator, f).logins).toBe(1);
	});

	test('FortiAuthenticator with "Ignore SSL Issues" instead of a CA certificate', async () => {
		const f = fixture(emulator, 'fortiAuthenticatorApi', { insecureTls: true });
		const out = await getToken(f);
		expect(out.accessToken).toBe(emulator.control.activeToken('fac', f.userKey));
		expect(out.expiresAt).toBeNull();
	});

	test('Force New Login logs in again although the cached token is valid', async () => {
		const f = fixture(emulator, 'fortiLanCloudApi');
		const first = await getToken(f);
		const forced = await getToken(f, { forceNewLogin: true });
		expect(forced.fromCache).toBe(false);
		expect(forced.accessToken).not.toBe(first.accessToken);
		expect(forced.accessToken).toBe(emulator.control.activeToken('iam', f.userKey));
		expect(countersOf(emulator, f).logins).toBe(2);
		// The forced token is now the cached one.
		const after = await getToken(f);
		expect(after).toMatchObject({ fromCache: true, accessToken: forced.accessToken });
		expect(countersOf(emulator, f).logins).toBe(2);
	});

	test('Include Refresh Token adds the refresh token; it is absent by default', async () => {
		const f = fixture(emulator, 'fortiSaseApi');
		const without = await getToken(f);
		expect(without).not.toHaveProperty('refreshToken');
		const withRefresh = await getToken(f, { includeRefreshToken: true });
		expect(Object.keys(withRefresh).sort()).toEqual([...TOKEN_FIELDS, 'refreshToken'].sort());
		expect(typeof withRefresh.refreshToken).toBe('string');
		expect((withRefresh.refreshToken as string).length).toBeGreaterThan(0);
		expect(withRefresh.refreshToken).not.toBe(withRefresh.accessToken);
		const explicitOff = await getToken(f, { includeRefreshToken: false });
		expect(explicitOff).not.toHaveProperty('refreshToken');
		expect(countersOf(emulator, f).logins).toBe(1);
	});

	test('three items are paired and share one login', async () => {
		const f = fixture(emulator, 'fortiCasbApi');
		const output = await run(f, { operation: 'getToken', options: {} }, { items: 3 });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output.map((item) => item.json.fromCache)).toEqual([false, true, true]);
		expect(new Set(output.map((item) => item.json.accessToken)).size).toBe(1);
		expect(countersOf(emulator, f).logins).toBe(1);
	});

	test('credentials are fetched per item, for the type the Service parameter selects', async () => {
		const f = fixture(emulator, 'fortiCwpApi');
		const record = { credentialCalls: [] as Array<{ type: string; itemIndex: number }> };
		await runNode({ parameters: { service: f.type, operation: 'getToken' }, credentials: { [f.type]: f.data }, items: 2 }, record);
		expect(record.credentialCalls).toEqual([
			{ type: 'fortiCwpApi', itemIndex: 0 },
			{ type: 'fortiCwpApi', itemIndex: 1 },
		]);
	});
});

describe('Refresh Token', () => {
	test.each(SERVICE_TYPES)('%s: uses the refresh grant and replaces the cached token', async (type: ServiceType) => {
		const f = fixture(emulator, type);
		const first = await getToken(f);
		const refreshed = await refresh(f);

		expect(Object.keys(refreshed).sort()).toEqual([...TOKEN_FIELDS].sort());
		expect(refreshed.service).toBe(f.label);
		expect(refreshed.fromCache).toBe(false);
		expect(refreshed.accessToken).not.toBe(first.accessToken);
		expect(refreshed.authorizationHeader).toBe(`Bearer ${String(refreshed.accessToken)}`);
		expect(refreshed.accessToken).toBe(emulator.control.activeToken(f.emulated, f.userKey));
		if (f.lifetime === null) expect(refreshed.expiresAt).toBeNull();
		else expect(refreshed.expiresIn).toBeGreaterThanOrEqual(f.lifetime - 5);
		const counters = countersOf(emulator, f);
		expect(counters.refreshes).toBe(1);
		expect(counters.logins).toBe(1);
		expect(await probe(f, refreshed.accessToken as string)).toBe(200);

		// What a following Get returns (and so what the credential layer sends) is the new token.
		const next = await getToken(f);
		expect(next).toMatchObject({ fromCache: true, accessToken: refreshed.accessToken });
		expect(countersOf(emulator, f).logins).toBe(1);
	});

	test('without a known token it logs in', async () => {
		const f = fixture(emulator, 'fortiLanCloudApi');
		const out = await refresh(f);
		expect(out.accessToken).toBe(emulator.control.activeToken('iam', f.userKey));
		expect(countersOf(emulator, f)).toMatchObject({ logins: 1, refreshes: 0 });
	});

	test('falls back to a login when the service refuses the refresh token', async () => {
		const f = fixture(emulator, 'fortiCasbApi');
		await getToken(f);
		emulator.control.injectFault({ service: 'casb', endpoint: 'refresh', count: 1, fault: { type: 'status', status: 401, body: '{"error":"invalid_token"}' } });
		const out = await refresh(f);
		expect(out.accessToken).toBe(emulator.control.activeToken('casb', f.userKey));
		expect(countersOf(emulator, f).logins).toBe(2);
	});

	test('Include Refresh Token shows the new refresh token', async () => {
		const f = fixture(emulator, 'fortiCloudIamApi');
		const first = await getToken(f, { includeRefreshToken: true });
		const refreshed = await refresh(f, { includeRefreshToken: true });
		expect(typeof refreshed.refreshToken).toBe('string');
		// The emulator rotates IAM refresh tokens.
		expect(refreshed.refreshToken).not.toBe(first.refreshToken);
		const plain = await refresh(f);
		expect(plain).not.toHaveProperty('refreshToken');
	});
});

describe('Revoke Token', () => {
	test('FortiCloud IAM: revoked at the service and dropped from the cache', async () => {
		const f = fixture(emulator, 'fortiCloudIamApi');
		const token = await getToken(f);
		expect(await probe(f, token.accessToken as string)).toBe(200);

		const out = await revoke(f);
		expect(out).toEqual({
			service: 'FortiCloud IAM',
			revoked: true,
			hadToken: true,
			message: expect.stringContaining('revoked') as unknown as string,
		});
		expectNoSecret(out, token.accessToken as string, f.secret);
		expect(countersOf(emulator, f).revokes).toBe(2); // access token and refresh token
		expect(await probe(f, token.accessToken as string)).toBe(401);

		// The next Get logs in again instead of returning the revoked token.
		const next = await getToken(f);
		expect(next.fromCache).toBe(false);
		expect(next.accessToken).not.toBe(token.accessToken);
		expect(countersOf(emulator, f).logins).toBe(2);
	});

	test.each(['fortiCasbApi', 'fortiCwpApi', 'fortiAuthenticatorApi'] as ServiceType[])(
		'%s: no revoke call, said plainly; the token is dropped from the cache',
		async (type) => {
			const f = fixture(emulator, type);
			const token = await getToken(f);
			const out = await revoke(f);
			expect(Object.keys(out).sort()).toEqual(['hadToken', 'message', 'revoked', 'service']);
			expect(out).toMatchObject({ service: f.label, revoked: false, hadToken: true });
			expect(out.message).toMatch(/has no token revoke call/);
			expect(out.message).toContain(f.label);
			expectNoSecret(out, token.accessToken as string, f.secret);
			const next = await getToken(f);
			expect(next.fromCache).toBe(false);
			expect(countersOf(emulator, f).logins).toBe(2);
		},
	);

	test('with no token held there is nothing to revoke', async () => {
		const f = fixture(emulator, 'fortiSaseApi');
		const out = await revoke(f);
		expect(out).toMatchObject({ service: 'FortiSASE', revoked: false, hadToken: false });
		expect(out.message).toMatch(/nothing to revoke/);
		expect(countersOf(emulator, f)).toMatchObject({ logins: 0, revokes: 0 });
	});
});

describe('errors', () => {
	function wrongPassword(f: Fixture): Fixture {
		return { ...f, data: { ...f.data, password: 'definitely-not-the-password' } };
	}

	test('Continue On Fail: a wrong password becomes a paired error item and the next item runs', async () => {
		const good = fixture(emulator, 'fortiLanCloudApi');
		const bad = wrongPassword(good);
		const output = await runNode({
			parameters: { service: good.type, operation: 'getToken' },
			// Item 0 gets the wrong password, item 1 the right one.
			credentials: (type, itemIndex) => (type === good.type ? (itemIndex === 0 ? bad.data : good.data) : undefined),
			items: 2,
			continueOnFail: true,
		});
		expect(output).toHaveLength(2);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		expect(Object.keys(output[0].json)).toEqual(['error']);
		expect(output[0].json.error).toContain('FortiLAN Cloud');
		expect(output[0].json.error).toContain('rejected the credentials');
		expectNoSecret(output[0].json, 'definitely-not-the-password', good.secret);
		expect(output[1].pairedItem).toEqual({ item: 1 });
		expect(output[1].json.accessToken).toBe(emulator.control.activeToken('iam', good.userKey));
	});

	test('without Continue On Fail a wrong password throws NodeApiError keeping the service message (HTTP 400)', async () => {
		const f = wrongPassword(fixture(emulator, 'fortiLanCloudApi'));
		const error = await failure(run(f, { operation: 'getToken' }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('FortiLAN Cloud rejected the credentials');
		expect(error.message).not.toMatch(/Bad request - please check your parameters/);
		expect((error as NodeApiError).httpCode).toBe('400');
		expect(error.context.itemIndex).toBe(0);
		expect(error.description).toBeTruthy();
		expectNoSecret({ message: error.message, description: error.description, messages: error.messages }, 'definitely-not-the-password');
	});

	test('a 401 from FortiAuthenticator keeps the service message instead of "Authorization failed"', async () => {
		const f = wrongPassword(fixture(emulator, 'fortiAuthenticatorApi', { insecureTls: true }));
		const error = await failure(run(f, { operation: 'refreshToken' }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBe('401');
		expect(error.message).toContain('FortiAuthenticator rejected the credentials');
		expect(error.message).not.toMatch(/Authorization failed/);
		expectNoSecret({ message: error.message, description: error.description }, 'definitely-not-the-password');
	});

	test('a rate limit is a NodeApiError with HTTP 429 and the service message', async () => {
		const f = fixture(emulator, 'fortiSaseApi');
		emulator.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'rateLimit', retryAfter: 120 } });
		const error = await failure(run(f, { operation: 'getToken' }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBe('429');
		expect(error.message).toContain('FortiSASE is rate limiting logins');
	});

	test('an unreachable service is a NodeApiError without HTTP code, in plain words', async () => {
		const f = fixture(emulator, 'fortiCloudIamApi');
		const unreachable: Fixture = { ...f, data: { ...f.data, authUrl: 'http://127.0.0.1:1' } };
		const error = await failure(run(unreachable, { operation: 'getToken' }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBeNull();
		expect(error.message).toContain('Could not reach FortiCloud IAM');
	});

	test('a missing credential field is a NodeOperationError with the item index', async () => {
		const f = fixture(emulator, 'fortiLanCloudApi');
		const empty: Fixture = { ...f, data: { ...f.data, username: '' } };
		const output = await runNode({ parameters: { service: f.type, operation: 'getToken' }, credentials: { [f.type]: empty.data }, items: 2, continueOnFail: false }).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(output).toBeInstanceOf(NodeOperationError);
		const error = output as NodeOperationError;
		expect(error.message).toContain('API User ID');
		expect(error.context.itemIndex).toBe(0);
		expect(countersOf(emulator, f).logins + countersOf(emulator, f).failedLogins).toBe(0);
	});

	test('a missing credential field with Continue On Fail: one error item per input item', async () => {
		const f = fixture(emulator, 'fortiCasbApi');
		const empty: Fixture = { ...f, data: { ...f.data, password: '' } };
		const output = await run(empty, { operation: 'revokeToken' }, { items: 2, continueOnFail: true });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const item of output) expect(item.json.error).toMatch(/FortiCASB credential has no Password/);
	});

	test('Custom API Call (added by n8n) points to the HTTP Request node and the credential type to pick', async () => {
		const f = fixture(emulator, 'fortiLanCloudApi');
		const error = await failure(run(f, { operation: '__CUSTOM_API_CALL__' }));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Custom API Call runs in the HTTP Request node, not here');
		expect(error.description).toContain('"Predefined Credential Type"');
		expect(error.description).toContain('"FortiLAN Cloud API"');
		expect(error.message).not.toContain('__CUSTOM_API_CALL__');
		expect(countersOf(emulator, f).logins).toBe(0);
	});

	test('an unknown Service is a NodeOperationError', async () => {
		const error = await failure(runNode({ parameters: { service: 'httpBasicAuth', operation: 'getToken' }, credentials: {} }));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('Unknown service');
	});
});

describe('shared with the credential layer (HTTP Request node)', () => {
	test('a Get followed by an authenticated call causes one login, not two', async () => {
		const f = fixture(emulator, 'fortiLanCloudApi');
		const token = await getToken(f);

		const stored = new StoredCredential(f.credentialType, f.data);
		const response = (await new Execution(stored).request({ uri: `${emulator.urls.iam}/api/v1/switches`, method: 'GET', json: true })) as IDataObject;
		expect(response.status).toBe('success');

		const counters = countersOf(emulator, f);
		expect(counters.logins).toBe(1);
		expect(counters.apiAccepted).toBe(1);
		expect(counters.authorizations.at(-1)).toBe(token.authorizationHeader);
	});

	test('a token refreshed by the node is the one the next authenticated call sends', async () => {
		const f = fixture(emulator, 'fortiCasbApi');
		const stored = new StoredCredential(f.credentialType, f.data);
		await new Execution(stored).request({ uri: f.resource.url, method: 'GET', json: true });
		const refreshed = await runNode({
			parameters: { service: f.type, operation: 'refreshToken' },
			// The node reads the credential n8n stored, with the token the credential layer persisted.
			credentials: { [f.type]: stored.load() },
		});
		await new Execution(stored).request({ uri: f.resource.url, method: 'GET', json: true });
		const counters = countersOf(emulator, f);
		expect(counters).toMatchObject({ logins: 1, refreshes: 1, apiAccepted: 2, apiRejected: 0 });
		expect(counters.authorizations.at(-1)).toBe(refreshed[0].json.authorizationHeader);
	});

	test('after Revoke the next authenticated call logs in again and succeeds', async () => {
		const f = fixture(emulator, 'fortiLanCloudApi');
		const stored = new StoredCredential(f.credentialType, f.data);
		await new Execution(stored).request({ uri: `${emulator.urls.iam}/api/v1/switches`, method: 'GET', json: true });
		expect(countersOf(emulator, f).logins).toBe(1);

		const revoked = await runNode({
			parameters: { service: f.type, operation: 'revokeToken' },
			credentials: { [f.type]: stored.load() },
		});
		expect(revoked[0].json).toMatchObject({ revoked: true, hadToken: true });

		// n8n's stored copy still holds the revoked token; the engine must not send it.
		const response = (await new Execution(stored).request({ uri: `${emulator.urls.iam}/api/v1/switches`, method: 'GET', json: true })) as IDataObject;
		expect(response.status).toBe('success');
		const counters = countersOf(emulator, f);
		expect(counters).toMatchObject({ logins: 2, revokes: 2, apiAccepted: 2 });
		expect(counters.authorizations.at(-1)).toBe(`Bearer ${String(emulator.control.activeToken('iam', f.userKey))}`);
	});
});
