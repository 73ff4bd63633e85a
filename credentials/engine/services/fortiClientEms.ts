import { baseUrl, optionalText, requiredText, sessionIdleMs, tlsFrom } from '../fields';
import { applianceSession } from '../protocols/applianceSession';
import type { ApplianceSessionSpec } from '../protocols/applianceSession';
import { isRecord } from '../responses';
import type { ServiceDescription } from '../types';

const LABEL = 'FortiClient EMS';

/** EMS Cloud's public API, under which the login and every call live. */
export const EMS_CLOUD_URL = 'https://forticlient.forticloud.com/fct';

/** EMS answers `{"result": {"retval": <n>, "message": …}}`; a negative retval is a refusal. */
function refused(body: unknown): string | undefined {
	const result = isRecord(body) && isRecord(body.result) ? body.result : undefined;
	const retval = Number(result?.retval);
	if (!result || !Number.isFinite(retval) || retval >= 0) return undefined;
	return typeof result.message === 'string' ? result.message : `retval ${retval}`;
}

/**
 * EMS on premises (Django): the sign-in sets a session cookie and `csrftoken`; every call carries
 * the cookies, the CSRF token as `X-CSRFToken` and a Referer of the EMS's own origin. A session is
 * gone after the EMS's idle setting (401, retval -4). Guess: the 30-minute default idle time.
 */
const ON_PREMISES: ApplianceSessionSpec = {
	login: { path: '/api/v1/auth/signin', body: (c) => ({ name: c.username ?? '', password: c.password ?? '' }) },
	refused,
	cookies: /^[^=]+=/,
	csrf: { cookie: /^csrftoken$/, header: 'X-CSRFToken', writesOnly: false },
	referer: true,
	check: { path: '/api/v1/system/serial_number' },
	logout: { method: 'GET', path: '/api/v1/auth/signout' },
	idleMinutes: 30,
	sessionCap: 'the EMS administrator session limit',
};

/**
 * EMS Cloud: an access key and the account's e-mail give a `session_id`, sent as the bare
 * Authorization header. Guesses: its read path and idle time.
 */
const CLOUD: ApplianceSessionSpec = {
	login: { path: '/api/public/v1/ems_api_cloud/login/', body: (c) => ({ access_key: c.apiCredential ?? '', account_email: c.username ?? '' }) },
	refused,
	token: { member: 'session_id', scheme: '' },
	check: { path: '/api/public/v1/ems_api_cloud/status/' },
	logout: { method: 'POST', path: '/api/public/v1/ems_api_cloud/logout/' },
	idleMinutes: 30,
	sessionCap: 'the EMS administrator session limit',
};

/** FortiClient EMS on premises (an administrator's session) or EMS Cloud (an access key's session). */
export const fortiClientEms: ServiceDescription = {
	credentialType: 'fortiClientEmsApi',
	label: LABEL,
	protocol: applianceSession('forticlient-ems', (connection) => (connection.variant === 'cloud' ? CLOUD : ON_PREMISES)),
	// The EMS (or the EMS Cloud URL) only: the session never goes to another host.
	apiDomains: [],
	sendsTokenAs: 'sessionHeaders',
	secretHint: "the administrator's Username and Password (EMS on premises), or the Account Email and Access Key (EMS Cloud)",
	connect: (credentials) => {
		const tls = tlsFrom(credentials);
		if (optionalText(credentials, 'deployment') === 'cloud') {
			return {
				baseUrl: baseUrl(credentials, 'cloudUrl', 'Cloud URL', LABEL, EMS_CLOUD_URL),
				grant: 'apiCredential',
				variant: 'cloud',
				username: requiredText(credentials, 'accountEmail', 'Account Email', LABEL),
				apiCredential: requiredText(credentials, 'apiKey', 'Access Key', LABEL),
				tls,
			};
		}
		return {
			baseUrl: baseUrl(credentials, 'baseUrl', 'Base URL', LABEL),
			grant: 'password',
			username: requiredText(credentials, 'username', 'Username', LABEL),
			password: requiredText(credentials, 'password', 'Password', LABEL),
			idleMs: sessionIdleMs(credentials, LABEL),
			tls,
		};
	},
};
