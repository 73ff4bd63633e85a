import { describeErrorBody, tokenError } from '../errors';
import type { FortinetTokenError } from '../errors';
import { failure, HEADER_SAFE, isRecord, isSuccess, livenessOf, notJson } from '../responses';
import { settings } from '../settings';
import type { AuthCall, AuthResponse, Connection, Liveness, Protocol, ServiceDescription, TokenSet } from '../types';
import { cookiesSet, cookieValue } from './cookies';

/**
 * FortiGate administrator sessions (FortiOS REST API). `POST /api/v2/authentication` answers a
 * `session_key`, sent back as a Bearer header, or (FortiOS 7.6.4+, or without `request_key`)
 * cookies: a session cookie and a CSRF cookie whose value writes carry as `X-CSRFTOKEN`. FortiOS
 * before 6.4.2 has only the form login `/logincheck` (cookies `APSCOOKIE_<n>` and `ccsrftoken`).
 * A session idles out after `admintimeout` (5 minutes by default): `PUT /api/v2/authentication`
 * keeps it alive, so the session is its own refresh token. Sources: docs/HOW-IT-WORKS.md.
 */

const SESSION_COOKIE = /^(session_key_|APSCOOKIE_)/;
const CSRF_COOKIE = /^(ccsrf_token|ccsrftoken)/;
/** FortiOS's default `admintimeout`, when the answer does not say (`session_key_timeout`, minutes). */
const DEFAULT_IDLE_MINUTES = 5;

/** A session kept as cookies (the Cookie header's value), not as a session key. */
export function isCookieSession(session: string): boolean {
	return SESSION_COOKIE.test(session);
}

/** The CSRF token of a cookie session: the CSRF cookie's value, without FortiOS's quotes. */
export function csrfOf(session: string): string | undefined {
	return cookieValue(session, CSRF_COOKIE);
}

/** The headers that carry a session: its key as Bearer, or its cookies and, on writes, the CSRF token. */
export function sessionHeaders(session: string, write: boolean): Record<string, string> {
	if (!isCookieSession(session)) return { Authorization: `Bearer ${session}` };
	const csrf = csrfOf(session);
	return { Cookie: session, ...(write && csrf ? { 'X-CSRFTOKEN': csrf } : {}) };
}

/** The session and CSRF cookies an answer set, as one Cookie header value; '' when it set none. */
function cookiesOf(response: AuthResponse): string {
	const pairs = cookiesSet(response, new RegExp(`${SESSION_COOKIE.source}|${CSRF_COOKIE.source}`));
	return pairs.some((pair) => SESSION_COOKIE.test(pair)) ? pairs.join('; ') : '';
}

function unusable(response: AuthResponse, service: ServiceDescription, what: string): FortinetTokenError {
	return tokenError('badResponse', `${service.label} answered the token request ${what}. Check the Base URL points at the FortiGate's administrative HTTPS port.`, response.statusCode);
}

/** The session of a successful login answer: its key, else its cookies. */
function sessionOf(response: AuthResponse, service: ServiceDescription): string {
	const key = isRecord(response.body) ? response.body.session_key : undefined;
	const session = typeof key === 'string' && key !== '' ? key : cookiesOf(response);
	if (!session) throw unusable(response, service, 'without an access token (neither a session key nor a session cookie)');
	const valid = session.split('; ').every((part) => HEADER_SAFE.test(part)) && session.length <= settings.maxTokenLength;
	if (!valid) throw unusable(response, service, 'with a session n8n cannot send in a header');
	return session;
}

function idleMinutes(body: unknown): number {
	const minutes = isRecord(body) ? Number(body.session_key_timeout) : Number.NaN;
	// FortiOS says whole minutes (1–480); a fraction down to a second is taken as said.
	return Number.isFinite(minutes) && minutes >= 1 / 60 && minutes <= 480 ? minutes : DEFAULT_IDLE_MINUTES;
}

/** A session as a TokenSet: it ends `admintimeout` after its last use, and keeps itself alive. */
function sessionToken(session: string, body: unknown, now = Date.now()): TokenSet {
	return { accessToken: session, refreshToken: session, tokenType: 'session', expiresAt: now + idleMinutes(body) * 60_000, issuedAt: now, confirmedAt: now };
}

/** What a refused `/api/v2/authentication` answer (`status_code` ≠ 5) asks the user to change. */
function refusal(response: AuthResponse, service: ServiceDescription): FortinetTokenError {
	const code = isRecord(response.body) ? Number(response.body.status_code) : Number.NaN;
	const said = describeErrorBody(response.body, response.secrets);
	const label = service.label;
	if (code === 2) {
		return tokenError('configuration', `${label} asks this administrator for a two-factor token code, which an unattended workflow cannot give. Use Authentication: API Key, or an administrator without two-factor authentication.`);
	}
	if (code === -2 || code === 3) {
		return tokenError('configuration', `${label} asks to accept a login disclaimer although n8n accepted it. Check the administrator's pre-login and post-login banners (config system global), or use Authentication: API Key.`);
	}
	if (code === 0 && /maximum/i.test(said ?? '')) {
		return tokenError('serviceError', `${label} has no free administrator session (admin-login-max)${said ? ` (${said})` : ''}. Log idle administrators out, or raise admin-login-max.`);
	}
	if (code === 4) {
		return tokenError('configuration', `${label} requires this administrator to change the password. Log in once in the FortiGate GUI, change it, and update the credential's Password.`);
	}
	return tokenError('badCredentials', `${label} rejected the credentials${said ? ` (${said})` : ''}. Check ${service.secretHint}.`, response.statusCode);
}

/** A login refused for too many failures from this address: every try prolongs the lockout. */
function lockedOut(service: ServiceDescription, status?: number): FortinetTokenError {
	const durationMs = service.locksOut?.durationMs ?? 60_000;
	// Remembered for the lockout's duration: a try before it ends prolongs it.
	return tokenError('rateLimited', `${service.label} locked this administrator out after failed logins (admin-lockout-threshold). Check the Username and Password, then wait for admin-lockout-duration (60 s by default) before trying again.`, status, undefined, durationMs);
}

/** FortiOS's 429 for a locked-out source address (any other 429 is a rate limit, with its Retry-After). */
function isLockout(response: AuthResponse): boolean {
	return response.headers['retry-after'] === undefined && /failed auth|lock/i.test(JSON.stringify(response.body ?? ''));
}

function succeeded(body: unknown): boolean {
	if (!isRecord(body)) return false;
	return body.status_code === 5 || body.status_message === 'LOGIN_SUCCESS';
}

/** The form login of FortiOS before 6.4.2: the body's first character is the result. */
async function legacyLogin(call: AuthCall, connection: Connection, service: ServiceDescription): Promise<TokenSet> {
	const response = await call({
		method: 'POST',
		url: `${connection.baseUrl}/logincheck`,
		body: { username: connection.username ?? '', secretkey: connection.password ?? '', ajax: '1' },
		form: true,
		secrets: [connection.password],
	});
	if (!isSuccess(response)) throw failure(response, service, 'login');
	const result = typeof response.body === 'string' ? response.body.trimStart()[0] : String(response.body)[0];
	if (result === '2') throw lockedOut(service);
	if (result === '3') throw refusal({ ...response, body: { status_code: 2 } }, service);
	if (result !== '1') throw tokenError('badCredentials', `${service.label} rejected the credentials. Check ${service.secretHint}.`, response.statusCode);
	if (!cookiesOf(response)) {
		const why = 'FortiOS 7.6.3 and later no longer open sessions at /logincheck, and /api/v2/authentication answered 404';
		throw tokenError('badResponse', `${service.label} answered the login without a session cookie (${why}). Use Authentication: API Key.`, response.statusCode);
	}
	return sessionToken(sessionOf(response, service), undefined);
}

async function sessionCall(call: AuthCall, connection: Connection, method: 'PUT' | 'DELETE' | 'GET', path: string, session: string): Promise<AuthResponse> {
	return await call({ method, url: `${connection.baseUrl}${path}`, headers: sessionHeaders(session, method !== 'GET'), secrets: [session, csrfOf(session)] });
}

export const fortiOsSession: Protocol = {
	family: 'fortios',

	// An API key travels like a session key: as a Bearer header.
	headers: sessionHeaders,

	async login(call, connection, service) {
		const password = connection.password ?? '';
		const response = await call({
			method: 'POST',
			url: `${connection.baseUrl}/api/v2/authentication`,
			// 7.6.4 reads `password`, earlier releases `secretkey`; both banners are accepted up front.
			body: { username: connection.username ?? '', secretkey: password, password, ack_pre_disclaimer: true, ack_post_disclaimer: true, request_key: true },
			secrets: [password],
		});
		// No such endpoint (before 6.4.2): the form login.
		if (response.statusCode === 404 || response.statusCode === 405) return await legacyLogin(call, connection, service);
		if (response.statusCode === 429 && isLockout(response)) throw lockedOut(service, 429);
		if (!isSuccess(response)) throw failure(response, service, 'login');
		if (!isRecord(response.body)) throw notJson(response, service);
		if (!succeeded(response.body)) throw refusal(response, service);
		return sessionToken(sessionOf(response, service), response.body);
	},

	/** The keepalive: the same session, its idle time started over. */
	async refresh(call, connection, session, service) {
		const response = await sessionCall(call, connection, 'PUT', '/api/v2/authentication', session);
		if (!isSuccess(response)) throw failure(response, service, 'refresh');
		return sessionToken(session, response.body);
	},

	// A harmless read: 200 with a live session, 401 without (it also counts as use).
	async check(call, connection, session): Promise<Liveness> {
		return livenessOf((await sessionCall(call, connection, 'GET', '/api/v2/monitor/system/status', session)).statusCode);
	},

	async revoke(call, connection, token, service) {
		const session = token.accessToken;
		const legacy = session.startsWith('APSCOOKIE_');
		const response = await sessionCall(call, connection, legacy ? 'GET' : 'DELETE', legacy ? '/logout' : '/api/v2/authentication', session);
		// Already gone (401) is what a logout wants.
		if (!isSuccess(response) && response.statusCode !== 401) throw failure(response, service, 'revoke');
	},
};
