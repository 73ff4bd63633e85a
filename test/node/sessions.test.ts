/**
 * The Fortinet Token node with the JSON-RPC session services (FortiManager / FortiAnalyzer, FortiSandbox), run
 * in-process with n8n-core's real helpers against the emulator: Get outputs the session and its
 * expiry, Refresh re-establishes it (logging the old one out), Revoke logs it out.
 */
import type { INodeParameters } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { clearTokenCache } from '../../credentials/engine/testing';
import { startEmulator, userCounters } from '../emulator';
import type { Emulator } from '../emulator';
import { Execution, StoredCredential } from '../support/n8n';
import { jsonRpcRequest, rpcCode, SESSION_CASES } from '../support/services';
import type { SessionCase, TestUser } from '../support/services';
import { runNode } from './context';

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});
afterAll(async () => await emulator.close());
beforeEach(() => clearTokenCache());

describe.each(SESSION_CASES)('$type', (service: SessionCase) => {
	let user: TestUser;
	let stored: StoredCredential;
	const at = () => userCounters(emulator.control.stats(), service.emulated, user.username);
	const node = async (operation: string, options: INodeParameters = {}, credentials = stored.load()) =>
		(await runNode({ parameters: { service: service.type, operation, options }, credentials: { [service.type]: credentials } }))[0].json;

	beforeEach(() => {
		user = service.newUser(emulator);
		stored = new StoredCredential(service.credential(), service.data(emulator, user));
	});

	test('Get outputs the session and its expiry, no Bearer fields; an HTTP Request call then makes no second login', async () => {
		const got = await node('getToken');
		expect(Object.keys(got).sort()).toEqual(['expiresAt', 'expiresIn', 'fromCache', 'service', 'session']);
		expect(got).toMatchObject({ service: service.label, session: emulator.control.activeToken(service.emulated, user.username), fromCache: false });
		// FortiSandbox reports no lifetime (its session is checked by interval); its check is a read.
		if (service.checkedAtApi) expect(got.expiresIn).toBeNull();
		else expect(Number(got.expiresIn)).toBeGreaterThan(250);
		expect(rpcCode(await new Execution(stored).request(jsonRpcRequest(service.url(emulator))))).toBe(0);
		const calls = service.checkedAtApi ? 2 : 1;
		expect(at()).toMatchObject({ logins: 1, apiAccepted: calls, apiRejected: 0 });
		expect(at().authorizations).toEqual(Array(calls).fill(`session ${String(got.session)}`));
		expect(await node('getToken')).toMatchObject({ session: got.session, fromCache: true });
		const withRefresh = await node('getToken', { includeRefreshToken: true });
		expect('refreshToken' in withRefresh).toBe(true);
	});

	test('Refresh re-establishes the session and logs the old one out; Revoke logs it out; the next call logs in again', async () => {
		const first = await node('getToken');
		const refreshed = await node('refreshToken');
		expect(refreshed.session).not.toBe(first.session);
		expect(emulator.control.openSessions(service.emulated, user.username)).toBe(1);
		const revoked = await node('revokeToken');
		expect(revoked).toMatchObject({ revoked: true, hadToken: true });
		expect(JSON.stringify(revoked)).not.toContain(String(refreshed.session));
		expect(emulator.control.openSessions(service.emulated, user.username)).toBe(0);
		expect(at().revokes).toBe(2);
		expect(rpcCode(await new Execution(stored).request(jsonRpcRequest(service.url(emulator))))).toBe(0);
		expect(at()).toMatchObject({ logins: 3, apiRejected: 0 });
	});

	test('a wrong password is a NodeApiError naming the service, without the secret', async () => {
		const error = await node('getToken', {}, { ...stored.load(), password: 'not-the-password' }).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		const text = JSON.stringify([(error as NodeApiError).message, (error as NodeApiError).description]);
		expect(text).toContain(service.label);
		expect(text).not.toContain('not-the-password');
	});
});
