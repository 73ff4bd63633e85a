/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tool code runs in Node, not inside n8n: emulator fixtures are its to use */
/**
 * What the credential layer does at the edges: TLS choices, revoke, FortiSASE's pasted token, the
 * error shapes FORTINET-APIS.md lists, rate limits, and an outside login under the one-active-token
 * rule. Real HTTP(S) against the emulator, through n8n-core's request code.
 */
import axios from 'axios';

import {
	fortiAuthenticator,
	fortiLanCloud,
	revokeToken,
} from '../../credentials/engine';
import { FortiCloudIamApi } from '../../credentials/FortiCloudIamApi.credentials';
import { FortiLanCloudApi } from '../../credentials/FortiLanCloudApi.credentials';
import { FortiSaseApi } from '../../credentials/FortiSaseApi.credentials';
import type { Fault } from '../emulator';
import { Execution, n8nHelpers, StoredCredential } from '../support/n8n';
import { caseOf, issueSaseToken } from '../support/services';
import type { ServiceCase, TestUser } from '../support/services';
import { messageOf } from '../support/errors';
import { useEmulator } from '../support/emulator';

const emulator = useEmulator({ emulator: { rateLimits: { fortilancloud: null, fortiedgecloud: null } }, settings: { timeoutMs: 1500, maxRetryAfterMs: 1500 } });

function counts(service: ServiceCase, user: TestUser) {
	return emulator.control.stats()[service.emulated].users[service.userKey(user)];
}

describe('FortiAuthenticator TLS (self-signed appliance certificate)', () => {
	const fac = caseOf('fortiAuthenticatorApi');

	test('is refused by default, with a message that says how to trust it', async () => {
		const user = fac.newUser(emulator);
		const stored = new StoredCredential(fac.credential(), { ...fac.data(emulator, user), caCertificate: '' });
		const message = await messageOf(new Execution(stored).request(fac.resource(emulator)));
		expect(message).toMatch(/FortiAuthenticator at https:\/\/127\.0\.0\.1:\d+ presented a TLS certificate that is not trusted/);
		expect(message).toMatch(/CA certificate/);
		expect(emulator.control.stats().fac.users[user.username]).toBeUndefined(); // never reached the login
	});

	test('is accepted with "Ignore SSL Issues" for this credential, token call and API call alike', async () => {
		const user = fac.newUser(emulator);
		const stored = new StoredCredential(fac.credential(), { ...fac.data(emulator, user), caCertificate: '', ignoreSSLIssues: true });
		await new Execution(stored).request(fac.resource(emulator));
		expect(counts(fac, user)).toMatchObject({ logins: 1, apiAccepted: 1 });
	});

	test('is accepted with the appliance CA given in the credential', async () => {
		const user = fac.newUser(emulator);
		const stored = new StoredCredential(fac.credential(), { ...fac.data(emulator, user), caCertificate: emulator.caCertificate });
		await new Execution(stored).request(fac.resource(emulator));
		expect(counts(fac, user)).toMatchObject({ logins: 1, apiAccepted: 1 });
	});

	test('neither the token nor the credential\'s TLS choice is applied to other hosts', async () => {
		const user = fac.newUser(emulator);
		const stored = new StoredCredential(fac.credential(), { ...fac.data(emulator, user), caCertificate: '', ignoreSSLIssues: true });
		const credentials = stored.load();
		await stored.preAuthentication(credentials, false);
		const request = { url: 'https://other.example.com/api', method: 'GET' as const };
		await expect(stored.authenticate(credentials, request)).rejects.toThrow(/token is only sent to the credential's own URL/);
		expect(request).not.toHaveProperty('rejectUnauthorized');
		expect(request).not.toHaveProperty('skipSslCertificateValidation');
		expect(request).not.toHaveProperty('headers');
	});

	test('has no revoke call: says so, drops the token, and the next use logs in again', async () => {
		const user = fac.newUser(emulator);
		const stored = new StoredCredential(fac.credential(), fac.data(emulator, user));
		await new Execution(stored).request(fac.resource(emulator));
		const result = await revokeToken(fortiAuthenticator, stored.load(), n8nHelpers);
		expect(result).toMatchObject({ revokedAtService: false, hadToken: true });
		expect(result.message).toMatch(/FortiAuthenticator has no token revoke call/);
		await new Execution(stored).request(fac.resource(emulator));
		expect(counts(fac, user)).toMatchObject({ logins: 2, revokes: 0, apiAccepted: 2, apiRejected: 0 });
	});
});

describe('FortiCloud IAM revoke', () => {
	const lan = caseOf('fortiLanCloudApi');

	test('revokes at the service; the revoked token is dead and the next execution logs in again', async () => {
		const user = lan.newUser(emulator);
		const stored = new StoredCredential(lan.credential(), lan.data(emulator, user));
		await new Execution(stored).request(lan.resource(emulator));
		const revokedToken = String(stored.data.sessionToken);
		const revokedRefreshToken = String(stored.data.refreshToken);
		const result = await revokeToken(fortiLanCloud, stored.load(), n8nHelpers);
		expect(result).toMatchObject({ revokedAtService: true, hadToken: true });
		const direct = await axios.get(`${emulator.urls.iam}/api/v1/switches`, {
			headers: { Authorization: `Bearer ${revokedToken}` },
			validateStatus: () => true,
		});
		expect(direct.status).toBe(401);
		// The session is over at the service: the refresh token cannot mint a new access token either.
		const refresh = await axios.post(
			`${emulator.urls.iam}/api/v1/oauth/token/`,
			{ client_id: 'fortilancloud', grant_type: 'refresh_token', refresh_token: revokedRefreshToken },
			{ validateStatus: () => true },
		);
		expect(refresh.status).toBe(400);
		await new Execution(stored).request(lan.resource(emulator));
		// Two revoke calls (access and refresh token); the stored refresh token was not tried again.
		expect(counts(lan, user)).toMatchObject({ logins: 2, revokes: 2, apiAccepted: 2, failedRefreshes: 1 });
		// The only rejection is our own direct probe of the revoked token: n8n never sent it again.
		expect(counts(lan, user).apiRejected).toBe(1);
	});
});

describe('one active token per API user', () => {
	const lan = caseOf('fortiLanCloudApi');

	test('a login from outside n8n kills our token: 30 concurrent executions still all succeed, with one renewal', async () => {
		const user = lan.newUser(emulator);
		const stored = new StoredCredential(lan.credential(), lan.data(emulator, user));
		await new Execution(stored).request(lan.resource(emulator));
		// Another script using the same API user logs in.
		const outside = await axios.post(`${emulator.urls.iam}/api/v1/oauth/token/`, {
			username: user.username,
			password: user.password,
			client_id: 'fortilancloud',
			client_secret: '',
			grant_type: 'password',
		});
		expect(outside.status).toBe(200);
		const results = await Promise.allSettled(
			Array.from({ length: 30 }, async () => await new Execution(stored).request(lan.resource(emulator))),
		);
		expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
		const seen = counts(lan, user);
		expect(seen.logins - 2 + seen.refreshes).toBe(1); // ours + the outside one, then one renewal
		expect(seen.apiAccepted).toBe(31);
	});

	test('FortiLAN Cloud\'s 6 logins a minute: 30 concurrent executions on one API user cause one login and no 429', async () => {
		emulator.control.setRateLimit('fortilancloud', { max: 6, windowMs: 60_000 });
		try {
			const user = lan.newUser(emulator);
			const stored = new StoredCredential(lan.credential(), lan.data(emulator, user));
			const results = await Promise.allSettled(
				Array.from({ length: 30 }, async () => await new Execution(stored).request(lan.resource(emulator))),
			);
			expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
			expect(counts(lan, user)).toMatchObject({ logins: 1, rateLimited: 0, apiAccepted: 30 });
		} finally {
			emulator.control.setRateLimit('fortilancloud', null);
		}
	});
});

describe('FortiSASE ready-made access token', () => {
	test('is sent as is, and a rejection says it expired and how to get a new one', async () => {
		const sase = caseOf('fortiSaseApi');
		const user = sase.newUser(emulator);
		const pasted = await issueSaseToken(emulator, user);
		const stored = new StoredCredential(new FortiSaseApi(), { authMethod: 'accessToken', accessToken: pasted, authUrl: emulator.urls.iam });
		await new Execution(stored).request(sase.resource(emulator));
		await new Execution(stored).request(sase.resource(emulator));
		expect(counts(sase, user)).toMatchObject({ logins: 1, apiAccepted: 2, authorizations: [`Bearer ${pasted}`, `Bearer ${pasted}`] });
		emulator.control.expireAll('iam');
		const message = await messageOf(new Execution(stored).request(sase.resource(emulator)));
		expect(message).toMatch(/FortiSASE rejected the access token: ready-made tokens expire after one hour/);
		expect(message).toMatch(/API User/);
		expect(message).not.toContain(pasted);
		expect(counts(sase, user).logins).toBe(1);
	});
});

describe('error shapes from the token endpoint become clear messages', () => {
	const flex = caseOf('fortiCloudIamApi');
	const cases: Array<{ name: string; fault: Fault; expected: RegExp }> = [
		{ name: 'HTTP 500', fault: { type: 'status', status: 500 }, expected: /FortiCloud IAM had an internal error during the login \(HTTP 500\)/ },
		{ name: 'HTTP 503', fault: { type: 'status', status: 503 }, expected: /internal error during the login \(HTTP 503\)/ },
		{ name: 'an HTML error page', fault: { type: 'html' }, expected: /FortiCloud IAM .*HTML page/ },
		{ name: 'malformed JSON', fault: { type: 'malformedJson' }, expected: /FortiCloud IAM answered the token request with a body that is not JSON/ },
		{ name: '200 without a token', fault: { type: 'noToken' }, expected: /FortiCloud IAM answered the token request without an access token/ },
		{ name: 'a dropped connection', fault: { type: 'reset' }, expected: /Could not reach FortiCloud IAM at http:\/\/127\.0\.0\.1:\d+ \(connection closed by the server\)/ },
		{ name: 'no answer within the timeout', fault: { type: 'delay', ms: 4000 }, expected: /FortiCloud IAM did not answer within 2 s/ },
		{ name: 'a 429 asking for a long wait', fault: { type: 'rateLimit', retryAfter: 60 }, expected: /FortiCloud IAM is rate limiting logins \(HTTP 429\); it asks to wait 60 s/ },
		{
			name: 'a FortiSASE-style status_message body',
			fault: { type: 'status', status: 403, body: JSON.stringify({ status: 'error', status_message: 'Permission denied for this API user', code: 403 }) },
			expected: /FortiCloud IAM rejected the credentials \(HTTP 403: Permission denied for this API user\)\. Check the API User ID and Password/,
		},
		{
			name: 'a FortiFlex-style message body',
			fault: { type: 'status', status: 401, body: JSON.stringify({ status: -1, message: 'Invalid security token.' }) },
			expected: /FortiCloud IAM rejected the credentials \(HTTP 401: Invalid security token\.\)/,
		},
	];

	test.each(cases)('$name', async ({ fault, expected }) => {
		const user = flex.newUser(emulator);
		const stored = new StoredCredential(new FortiCloudIamApi(), flex.data(emulator, user));
		emulator.control.injectFault({ service: 'iam', endpoint: 'token', count: 2, fault });
		const started = Date.now();
		const message = await messageOf(new Execution(stored).request(flex.resource(emulator)));
		expect(message).toMatch(expected);
		expect(message).not.toContain(user.password);
		expect(Date.now() - started).toBeLessThan(8000); // bounded: no hang, no retry loop
		expect(counts(flex, user)?.apiAccepted ?? 0).toBe(0); // no request went out with an empty Bearer
		expect(counts(flex, user)?.apiRejected ?? 0).toBe(0);
	});

	test('a 429 with a short Retry-After is waited out once, then the login succeeds', async () => {
		const user = flex.newUser(emulator);
		const stored = new StoredCredential(new FortiCloudIamApi(), flex.data(emulator, user));
		emulator.control.injectFault({ service: 'iam', endpoint: 'token', count: 1, fault: { type: 'rateLimit', retryAfter: 1 } });
		await new Execution(stored).request(flex.resource(emulator));
		expect(counts(flex, user)).toMatchObject({ logins: 1, apiAccepted: 1 });
	});

	test('invalid_grant (bad password) names the fields to check', async () => {
		const user = flex.newUser(emulator);
		const stored = new StoredCredential(new FortiCloudIamApi(), { ...flex.data(emulator, user), password: 'wrong-password-1' });
		const message = await messageOf(new Execution(stored).request(flex.resource(emulator)));
		expect(message).toMatch(/FortiCloud IAM rejected the credentials \(HTTP 400: Invalid credentials given\. \[invalid_grant\]\)\. Check the API User ID and Password \(from/);
		expect(message).not.toContain('wrong-password-1');
	});

	test('an unknown client_id says which client_id to fix', async () => {
		const user = flex.newUser(emulator);
		const stored = new StoredCredential(new FortiCloudIamApi(), { ...flex.data(emulator, user), service: 'custom', customClientId: 'notaclient' });
		const message = await messageOf(new Execution(stored).request(flex.resource(emulator)));
		expect(message).toMatch(/FortiCloud IAM refused client_id "notaclient" .*Check the Client ID/);
	});

	test('a missing field names it', async () => {
		const stored = new StoredCredential(new FortiLanCloudApi(), { username: '', password: 'x', authUrl: emulator.urls.iam });
		const message = await messageOf(new Execution(stored).request({ uri: `${emulator.urls.iam}/api/v1/switches`, json: true }));
		expect(message).toMatch(/The FortiLAN Cloud credential has no API User ID: fill in "API User ID"/);
	});

	test('a URL that is not one names the field', async () => {
		const stored = new StoredCredential(new FortiLanCloudApi(), { username: 'u', password: 'p', authUrl: 'customerapiauth' });
		const message = await messageOf(new Execution(stored).request({ uri: `${emulator.urls.iam}/api/v1/switches`, json: true }));
		expect(message).toMatch(/"Auth URL" of the FortiLAN Cloud credential is not a URL/);
	});

	test('the Service option of FortiCloud IAM picks the client_id', async () => {
		const user = flex.newUser(emulator);
		const stored = new StoredCredential(new FortiCloudIamApi(), { ...flex.data(emulator, user), service: 'fortiEdgeCloud' });
		await new Execution(stored).request({ uri: `${emulator.urls.iam}/emulator/api/fortiedgecloud/resource`, json: true });
		expect(emulator.control.stats().iam.users[`${user.username}/fortiedgecloud`]).toMatchObject({ logins: 1, apiAccepted: 1 });
	});
});

describe('errors are n8n\'s error classes', () => {
	test('a wrong secret is a UserError, an unreachable service an OperationalError (both named, both secret-free)', async () => {
		const { OperationalError, UserError } = await import('n8n-workflow');
		const { getToken, SERVICES } = await import('../../credentials/engine');
		const lan = caseOf('fortiLanCloudApi');
		const user = lan.newUser(emulator);
		const wrong = await getToken(SERVICES.fortiLanCloudApi, { ...lan.data(emulator, user), password: 'wrong-password-1234' }, n8nHelpers).catch((e: unknown) => e);
		expect(wrong).toBeInstanceOf(UserError);
		expect((wrong as Error).message).toMatch(/FortiLAN Cloud rejected the credentials/);
		const down = await getToken(SERVICES.fortiLanCloudApi, { ...lan.data(emulator, user), authUrl: 'http://127.0.0.1:9' }, n8nHelpers).catch((e: unknown) => e);
		expect(down).toBeInstanceOf(OperationalError);
		expect((down as Error).message).toMatch(/Could not reach FortiLAN Cloud at http:\/\/127\.0\.0\.1:9/);
	});
});

describe('n8n 2.41+: the login hook\'s requests are restricted to the credential\'s allowed domains', () => {
	test('a refusal by n8n names the token host to add to the list', async () => {
		const { getToken, SERVICES } = await import('../../credentials/engine');
		const lan = caseOf('fortiLanCloudApi');
		const user = lan.newUser(emulator);
		// What n8n 2.41's restricted httpRequest throws for a host outside "Specific Domains".
		const restricted = {
			httpRequest: async () => {
				throw new Error('Domain not allowed: This credential is restricted from accessing 127.0.0.1. Only the following domains are allowed: example.com');
			},
		};
		const error = (await getToken(SERVICES.fortiLanCloudApi, lan.data(emulator, user), restricted).catch((e: unknown) => e)) as Error;
		expect(error.message).toBe('The credential\'s "Allowed HTTP Request Domains" do not include 127.0.0.1, where FortiLAN Cloud issues its tokens: add 127.0.0.1 to the list.');
	});
});

describe('"Specific Domains": the token host must be listed, on every n8n version', () => {
	test.each([
		['the host itself', '127.0.0.1', true],
		['among others, with spaces and a trailing dot', 'api.example.com , 127.0.0.1.', true],
		['a wildcard never matches the bare host', '*.127.0.0.1', false],
		['only other hosts', 'example.com, *.fortinet.com', false],
		['an empty list', '', false],
	])('%s: %s', async (_case, allowedDomains, allowed) => {
		const { getToken, SERVICES } = await import('../../credentials/engine');
		const { UserError } = await import('n8n-workflow');
		const lan = caseOf('fortiLanCloudApi');
		const user = lan.newUser(emulator);
		const data = { ...lan.data(emulator, user), allowedHttpRequestDomains: 'domains', allowedDomains };
		const result = await getToken(SERVICES.fortiLanCloudApi, data, n8nHelpers).catch((e: unknown) => e);
		const seen = emulator.control.stats().iam.users[lan.userKey(user)];
		if (allowed) {
			expect(result).toMatchObject({ fromCache: false, token: { tokenType: 'Bearer' } });
			expect(seen?.logins).toBe(1);
		} else {
			expect(result).toBeInstanceOf(UserError);
			expect((result as Error).message).toBe('The credential\'s "Allowed HTTP Request Domains" do not include 127.0.0.1, where FortiLAN Cloud issues its tokens: add 127.0.0.1 to the list.');
			// The password never left: the emulator saw no login.
			expect(seen?.logins ?? 0).toBe(0);
		}
	});

	test('"All" and "None" leave the token request alone (n8n blocks the HTTP Request node itself under "None")', async () => {
		const { getToken, SERVICES } = await import('../../credentials/engine');
		const lan = caseOf('fortiLanCloudApi');
		for (const mode of ['all', 'none']) {
			const user = lan.newUser(emulator);
			const data = { ...lan.data(emulator, user), allowedHttpRequestDomains: mode, allowedDomains: 'example.com' };
			await expect(getToken(SERVICES.fortiLanCloudApi, data, n8nHelpers)).resolves.toMatchObject({ token: { tokenType: 'Bearer' } });
		}
	});
});
