import { baseUrl, optionalText, requiredText, sessionIdleMs, tlsFrom } from '../fields';
import { applianceSession } from '../protocols/applianceSession';
import type { ApplianceSessionSpec } from '../protocols/applianceSession';
import { isRecord } from '../responses';
import type { Connection, ServiceDescription } from '../types';

/** The products on this REST API, as the credential's Product option names them. */
export const FORTIMAIL_PRODUCTS = { fortiMail: 'FortiMail', fortiRecorder: 'FortiRecorder', fortiVoice: 'FortiVoice' } as const;
type Product = keyof typeof FORTIMAIL_PRODUCTS;

/** A banner the administrator must accept: the login is sent again with `reqAction` 7. */
function again(body: unknown, connection: Connection): Record<string, unknown> | undefined {
	if (!isRecord(body) || !body.post_login_banner) return undefined;
	return { name: connection.username ?? '', password: connection.password ?? '', reqAction: 7 };
}

/**
 * FortiMail's REST API (FortiRecorder's and FortiVoice's are its siblings): the login sets the
 * `APSCOOKIE_…` session cookie; a session gone (idle after `admin-idle-timeout`, 5 minutes by
 * default) is answered 403. Guesses: the logout call (DELETE on the login resource) and the read
 * that checks a session (`SysStatusCommon`).
 */
function spec(product: Product): ApplianceSessionSpec {
	const path = product === 'fortiVoice' ? '/api/v1/VoiceadminLogin/' : '/api/v1/AdminLogin/';
	return {
		login: { path, body: (c) => ({ name: c.username ?? '', password: c.password ?? '' }) },
		again,
		cookies: /^APSCOOKIE/,
		check: { path: '/api/v1/SysStatusCommon/', dead: [403] },
		logout: { method: 'DELETE', path },
		idleMinutes: 5,
		sessionCap: 'max-active-session-restful',
	};
}

const SPECS = { fortiMail: spec('fortiMail'), fortiRecorder: spec('fortiRecorder'), fortiVoice: spec('fortiVoice') };

function productOf(value: string | undefined): Product {
	return value === 'fortiRecorder' || value === 'fortiVoice' ? value : 'fortiMail';
}

/** FortiMail, FortiRecorder or FortiVoice: an administrator's REST API session. */
export const fortiMail: ServiceDescription = {
	credentialType: 'fortiMailApi',
	label: 'FortiMail / FortiRecorder / FortiVoice',
	protocol: applianceSession('fortimail', (connection) => SPECS[productOf(connection.variant)]),
	apiDomains: [],
	sendsTokenAs: 'sessionHeaders',
	// Guess: FortiMail's default administrator lockout (3 failures, a few minutes).
	locksOut: { failures: 3, durationMs: 300_000, setting: 'the administrator lockout' },
	secretHint:
		"the administrator's Username and Password (n8n does not try this password again until the credential is changed, so that the appliance's administrator lockout is never reached); the administrator needs REST API access",
	connect: (credentials) => {
		const product = productOf(optionalText(credentials, 'product'));
		const label = FORTIMAIL_PRODUCTS[product];
		return {
			baseUrl: baseUrl(credentials, 'baseUrl', 'Base URL', label),
			grant: 'password',
			variant: product,
			username: requiredText(credentials, 'username', 'Username', label),
			password: requiredText(credentials, 'password', 'Password', label),
			idleMs: sessionIdleMs(credentials, label),
			tls: tlsFrom(credentials),
		};
	},
};
