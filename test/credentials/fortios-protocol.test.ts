/**
 * The FortiOS session protocol on its own, before a credential type uses it: both login flows,
 * the keepalive, the check and the logout, against the emulated FortiGate over HTTPS through
 * n8n-core's request code, per firmware. What the appliance saw is asserted with each answer.
 */
import { csrfOf, fortiOsSession, isCookieSession, sessionHeaders } from '../../credentials/engine/protocols/fortiOs';
import { createAuthCall } from '../../credentials/engine/transport';
import type { Connection, ServiceDescription } from '../../credentials/engine/types';
import { DEMO_ACCOUNTS } from '../emulator';
import type { FortiOsFirmware } from '../emulator/fgt';
import { useEmulator } from '../support/emulator';
import { messageOf } from '../support/errors';
import { n8nHelpers } from '../support/n8n';

const emulator = useEmulator();
const admin = DEMO_ACCOUNTS.fgt;

const service = {
	credentialType: 'fortiOsApi',
	label: 'FortiGate',
	protocol: fortiOsSession,
	secretHint: 'the Username and Password of the administrator',
	apiDomains: [],
} as unknown as ServiceDescription;

function connection(password: string = admin.password): Connection {
	return { baseUrl: emulator.urls.fgt, grant: 'password', username: admin.username, password, tls: { skipVerification: false, ca: emulator.caCertificate } };
}

const call = () => createAuthCall(n8nHelpers, { skipVerification: false, ca: emulator.caCertificate }, 'FortiGate');
const seen = () => emulator.control.stats().fgt;
const open = () => emulator.control.openSessions('fgt', admin.username);
const on = (firmware: FortiOsFirmware) => emulator.control.configureFortiOs({ firmware });

beforeEach(() => emulator.control.reset());

describe('FortiOS session protocol', () => {
	test('7.4: a session key, confirmed alive, kept alive with PUT, logged out with DELETE', async () => {
		on('7.4');
		const token = await fortiOsSession.login(call(), connection(), service);
		expect(isCookieSession(token.accessToken)).toBe(false);
		expect(token.accessToken).toBe(emulator.control.activeToken('fgt', admin.username));
		// session_key_timeout is 5 minutes: the engine renews (keeps it alive) ahead of that.
		expect(token.expiresAt! - token.issuedAt).toBe(5 * 60_000);
		expect(await fortiOsSession.check!(call(), connection(), token.accessToken)).toBe('alive');
		const kept = await fortiOsSession.refresh!(call(), connection(), token.refreshToken!, service);
		expect(kept.accessToken).toBe(token.accessToken);
		await fortiOsSession.revoke!(call(), connection(), kept, service);
		expect(open()).toBe(0);
		expect(await fortiOsSession.check!(call(), connection(), token.accessToken)).toBe('dead');
		const stats = seen();
		expect([stats.logins, stats.refreshes, stats.revokes]).toEqual([1, 1, 1]);
		expect(stats.authorizations).toContain(`Bearer ${token.accessToken}`);
	});

	test('7.6.4: cookies only; writes carry the CSRF token from its cookie, without quotes', async () => {
		on('7.6.4');
		const token = await fortiOsSession.login(call(), connection(), service);
		expect(isCookieSession(token.accessToken)).toBe(true);
		const csrf = csrfOf(token.accessToken);
		expect(csrf).toMatch(/^[A-Za-z0-9]{32}$/);
		expect(sessionHeaders(token.accessToken, false)).toEqual({ Cookie: token.accessToken });
		expect(sessionHeaders(token.accessToken, true)).toEqual({ Cookie: token.accessToken, 'X-CSRFTOKEN': csrf });
		// The keepalive is a write: refused (403) without the token, so this proves it is sent.
		await fortiOsSession.refresh!(call(), connection(), token.accessToken, service);
		await fortiOsSession.revoke!(call(), connection(), token, service);
		const stats = seen();
		expect([stats.logins, stats.refreshes, stats.revokes, open()]).toEqual([1, 1, 1, 0]);
	});

	test('6.2 (no /api/v2/authentication): the /logincheck form, cookies APSCOOKIE and ccsrftoken, GET /logout', async () => {
		on('6.2');
		const token = await fortiOsSession.login(call(), connection(), service);
		expect(token.accessToken).toMatch(/^APSCOOKIE_\d+="[^"]+"; ccsrftoken_/);
		expect(await fortiOsSession.check!(call(), connection(), token.accessToken)).toBe('alive');
		await fortiOsSession.revoke!(call(), connection(), token, service);
		expect([seen().logins, seen().revokes, open()]).toEqual([1, 1, 0]);
	});

	test('a dead session: the keepalive is refused, so the engine logs in again', async () => {
		const token = await fortiOsSession.login(call(), connection(), service);
		emulator.control.expireAll('fgt');
		const message = await messageOf(fortiOsSession.refresh!(call(), connection(), token.accessToken, service));
		expect(message).toMatch(/FortiGate refused the refresh token \(HTTP 401/);
		expect(message).not.toContain(token.accessToken);
	});
});

describe('FortiOS login refusals say what to change, and never quote the password', () => {
	const refused = async (password?: string) => await messageOf(fortiOsSession.login(call(), connection(password), service));

	test('a wrong password', async () => {
		const message = await refused('Wr0ng-Secret');
		expect(message).toMatch(/FortiGate rejected the credentials \(.*LOGIN_FAILED.*\)\. Check the Username and Password/);
		expect(message).not.toContain('Wr0ng-Secret');
		expect(seen().failedLogins).toBe(1);
	});

	test('a two-factor administrator, a lockout', async () => {
		emulator.control.configureFortiOs({ twoFactorUsers: [admin.username] });
		expect(await refused()).toMatch(/two-factor token code.*Use Authentication: API Key/);
		emulator.control.configureFortiOs({ twoFactorUsers: [] });
		for (let i = 0; i < 3; i++) await refused('wrong');
		expect(await refused()).toMatch(/locked this administrator out.*admin-lockout-duration/);
		expect([seen().logins, open()]).toEqual([0, 0]);
	});

	test('/logincheck on 7.6.3+ opens no session: said so, not taken for success', async () => {
		on('6.2');
		// The old endpoint only, but answering as 7.6.3 does: success without a cookie.
		emulator.control.injectFault({ service: 'fgt', endpoint: 'token', count: 1, fault: { type: 'status', status: 200, body: '1', contentType: 'text/plain' } });
		expect(await refused()).toMatch(/without a session cookie \(FortiOS 7\.6\.3 and later.*Use Authentication: API Key/);
	});
});
