import { baseUrl, optionalText, requiredText, sessionIdleMs, tlsFrom } from '../fields';
import { applianceSession } from '../protocols/applianceSession';
import type { ApplianceSessionSpec } from '../protocols/applianceSession';
import type { ServiceDescription } from '../types';

const LABEL = 'FortiADC';

/**
 * FortiADC's REST API: the login answers a `token`, sent as Bearer, and sets a cookie that goes
 * with it; idle after 30 minutes (401); `GET /api/user/logout`. A REST API key (FortiADC 7.2+)
 * travels in the `APITOKEN` header. Guesses: the read that checks a session, the key's header.
 */
const SESSION: ApplianceSessionSpec = {
	login: { path: '/api/user/login', body: (c) => ({ username: c.username ?? '', password: c.password ?? '' }) },
	token: { member: 'token', scheme: 'Bearer' },
	cookies: /^[^=]+=/,
	check: { path: '/api/system_global' },
	logout: { method: 'GET', path: '/api/user/logout' },
	idleMinutes: 30,
	sessionCap: 'the administrator session limit',
	apiKeyHeader: 'APITOKEN',
};

const protocol = applianceSession('fortiadc', () => SESSION);

/** FortiADC: an administrator's session, or a REST API key. */
export const fortiAdc: ServiceDescription = {
	credentialType: 'fortiAdcApi',
	label: LABEL,
	protocol,
	apiDomains: [],
	sendsTokenAs: 'sessionHeaders',
	secretHint: "the administrator's Username and Password; the administrator needs REST API access",
	noRevokeReason: 'A FortiADC API key is not revoked by n8n: the administrator deletes or regenerates it',
	expiredPastedTokenHint: "FortiADC rejected the API key: check the credential's API Key.",
	connect: (credentials) => {
		const url = baseUrl(credentials, 'baseUrl', 'Base URL', LABEL);
		const tls = tlsFrom(credentials);
		if (optionalText(credentials, 'authentication') === 'apiKey') {
			const connection = { baseUrl: url, grant: 'apiCredential' as const, tls };
			return { kind: 'apiKey', token: requiredText(credentials, 'apiKey', 'API Key', LABEL), url, tls, issuer: { protocol, connection } };
		}
		return {
			baseUrl: url,
			grant: 'password',
			username: requiredText(credentials, 'username', 'Username', LABEL),
			password: requiredText(credentials, 'password', 'Password', LABEL),
			idleMs: sessionIdleMs(credentials, LABEL),
			tls,
		};
	},
};
