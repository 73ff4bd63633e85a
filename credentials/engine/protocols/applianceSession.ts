import { describeErrorBody, redact, tokenError } from '../errors';
import type { FortinetTokenError } from '../errors';
import { failure, HEADER_SAFE, isRecord, isSuccess, livenessOf, notJson } from '../responses';
import { settings } from '../settings';
import type { AuthCall, AuthResponse, Connection, Liveness, Protocol, ServiceDescription, TokenSet } from '../types';
import { cookiesSet, cookieValue } from './cookies';

/**
 * An appliance's login session, described rather than coded (FortiClient EMS, FortiMail and its
 * siblings, FortiADC): a login call whose answer sets session cookies (a CSRF cookie among them)
 * and may carry a token for the Authorization header; a harmless read that tells a live session
 * from a dead one and restarts its idle time (the keepalive); a logout.
 */
export interface ApplianceSessionSpec {
	/** The login: `POST <Base URL><path>` with this JSON body. */
	login: { path: string; body(connection: Connection): Record<string, unknown> };
	/** A login answer that asks for one more step (FortiMail's post-login banner): that step's body. */
	again?(body: unknown, connection: Connection): Record<string, unknown> | undefined;
	/** Why a 2xx login answer is a refusal (EMS: `result.retval` < 0), or undefined for a success. */
	refused?(body: unknown): string | undefined;
	/** The cookies that make the session; none where the session is only a token. */
	cookies?: RegExp;
	/** A login answer's member whose value goes in the Authorization header, with this scheme ('' for the bare value). */
	token?: { member: string; scheme: 'Bearer' | '' };
	/** A CSRF cookie whose value goes in a header (on writes only, or on every call). */
	csrf?: { cookie: RegExp; header: string; writesOnly: boolean };
	/** Django's CSRF check on HTTPS also wants a Referer of the appliance's own origin (EMS). */
	referer?: boolean;
	/** The header a static API key travels in (FortiADC's `APITOKEN`), for credentials with a key instead of a login. */
	apiKeyHeader?: string;
	/** The harmless read: `GET <Base URL><path>`; `dead` the statuses (besides 401) of a session that is gone. */
	check: { path: string; dead?: number[] };
	logout: { method: 'GET' | 'POST' | 'DELETE'; path: string };
	/** The appliance's default idle timeout: a session unused this long is gone. */
	idleMinutes: number;
	/** The setting that caps open sessions, named when a login is refused for it (FortiMail: max-active-session-restful). */
	sessionCap: string;
}

/** The strings of an answer's body, one level of nesting deep (EMS: `result.message`). */
function texts(body: unknown): string[] {
	if (typeof body === 'string') return [body];
	if (!isRecord(body)) return [];
	return Object.values(body).flatMap((value) => (typeof value === 'string' ? [value] : isRecord(value) ? Object.values(value).filter((v): v is string => typeof v === 'string') : []));
}

/** A refused login whose answer says the session table is full: a busy appliance, not a wrong password. */
function full(response: AuthResponse, spec: ApplianceSessionSpec, service: ServiceDescription): FortinetTokenError | undefined {
	if (response.statusCode === 429) return undefined;
	const said = texts(response.body).find((text) => /maximum|too many/i.test(text) && !/fail/i.test(text) && text.length <= 200);
	if (!said) return undefined;
	return tokenError('serviceError', `${service.label} has no free session for n8n (${redact(said, response.secrets ?? [])}). Log idle sessions out, or raise ${spec.sessionCap}.`, response.statusCode);
}

/** The pseudo-cookie that holds a token in the session text: '@' cannot start a real cookie name. */
const TOKEN_PAIR = '@authorization=';

/** The headers of a session: its token as Authorization, its cookies, its CSRF header, its Referer. */
function sessionHeaders(spec: ApplianceSessionSpec, session: string, write: boolean, connection: Connection): Record<string, string> {
	if (connection.grant === 'apiCredential' && spec.apiKeyHeader) return { [spec.apiKeyHeader]: session };
	const parts = session.split('; ');
	const token = parts.find((part) => part.startsWith(TOKEN_PAIR))?.slice(TOKEN_PAIR.length);
	const cookies = parts.filter((part) => !part.startsWith(TOKEN_PAIR)).join('; ');
	const csrf = spec.csrf && (write || !spec.csrf.writesOnly) ? cookieValue(cookies, spec.csrf.cookie) : undefined;
	return {
		...(token !== undefined ? { Authorization: spec.token?.scheme ? `${spec.token.scheme} ${token}` : token } : {}),
		...(cookies ? { Cookie: cookies } : {}),
		...(csrf && spec.csrf ? { [spec.csrf.header]: csrf } : {}),
		...(spec.referer ? { Referer: `${new URL(connection.baseUrl).origin}/` } : {}),
	};
}

function unusable(response: AuthResponse, service: ServiceDescription, what: string): FortinetTokenError {
	return tokenError('badResponse', `${service.label} answered the token request ${what}. Check the Base URL points at the ${service.label} administrative HTTPS port.`, response.statusCode);
}

/** The session of a successful login answer: its token pair and its cookies, header-safe and bounded. */
function sessionOf(spec: ApplianceSessionSpec, response: AuthResponse, service: ServiceDescription): string {
	const member = spec.token && isRecord(response.body) ? response.body[spec.token.member] : undefined;
	if (spec.token && (typeof member !== 'string' || member === '')) throw unusable(response, service, `without an access token (no "${spec.token.member}")`);
	const cookies = spec.cookies ? cookiesSet(response, spec.cookies) : [];
	if (spec.cookies && !spec.token && cookies.length === 0) throw unusable(response, service, 'without an access token (no session cookie)');
	const parts = [...(typeof member === 'string' ? [`${TOKEN_PAIR}${member}`] : []), ...cookies];
	const valid = parts.every((part) => HEADER_SAFE.test(part)) && parts.join('; ').length <= settings.maxTokenLength;
	if (!valid) throw unusable(response, service, 'with a session n8n cannot send in a header');
	return parts.join('; ');
}

/**
 * A session as a TokenSet: it ends after the idle timeout (the credential's, else the product's
 * default), and keeps itself alive (its own refresh token).
 */
function sessionToken(spec: ApplianceSessionSpec, connection: Connection, session: string, now = Date.now()): TokenSet {
	const idleMs = connection.idleMs ?? spec.idleMinutes * 60_000;
	return { accessToken: session, refreshToken: session, tokenType: 'session', expiresAt: now + idleMs, issuedAt: now, confirmedAt: now };
}

function secretsOf(connection: Connection): Array<string | undefined> {
	return [connection.password, connection.apiCredential];
}

async function loginCall(call: AuthCall, connection: Connection, spec: ApplianceSessionSpec, body: Record<string, unknown>, cookie?: string): Promise<AuthResponse> {
	return await call({ method: 'POST', url: `${connection.baseUrl}${spec.login.path}`, body, headers: cookie ? { Cookie: cookie } : undefined, secrets: secretsOf(connection) });
}

/** The login, with its second step where the first answer asks for one. */
async function login(call: AuthCall, connection: Connection, spec: ApplianceSessionSpec, service: ServiceDescription): Promise<TokenSet> {
	let response = await loginCall(call, connection, spec, spec.login.body(connection));
	const next = isSuccess(response) ? spec.again?.(response.body, connection) : undefined;
	if (next) response = await loginCall(call, connection, spec, next, spec.cookies ? cookiesSet(response, spec.cookies).join('; ') : undefined);
	if (!isSuccess(response)) throw full(response, spec, service) ?? failure(response, service, 'login');
	// Every one of these appliances answers its login in JSON: anything else is not it.
	if (!isRecord(response.body)) throw notJson(response, service);
	const refusal = spec.refused?.(response.body);
	if (refusal !== undefined) {
		const said = describeErrorBody(refusal, response.secrets);
		throw tokenError('badCredentials', `${service.label} rejected the credentials${said ? ` (${said})` : ''}. Check ${service.secretHint}.`, response.statusCode);
	}
	return sessionToken(spec, connection, sessionOf(spec, response, service));
}

async function sessionCall(call: AuthCall, connection: Connection, spec: ApplianceSessionSpec, method: 'GET' | 'POST' | 'DELETE', path: string, session: string): Promise<AuthResponse> {
	const headers = sessionHeaders(spec, session, method !== 'GET', connection);
	return await call({ method, url: `${connection.baseUrl}${path}`, headers, secrets: [session, ...session.split('; ').map((part) => part.slice(part.indexOf('=') + 1))] });
}

function liveness(spec: ApplianceSessionSpec, status: number): Liveness {
	return spec.check.dead?.includes(status) ? 'dead' : livenessOf(status);
}

/**
 * The protocol of an appliance's sessions; `select` picks the description for a connection (a
 * credential for several products or deployments: FortiMail / FortiVoice, EMS on premises / Cloud).
 */
export function applianceSession(family: string, select: (connection: Connection) => ApplianceSessionSpec): Protocol {
	return {
		family,
		headers: (session, write, connection) => sessionHeaders(select(connection), session, write, connection),
		login: async (call, connection, service) => await login(call, connection, select(connection), service),
		// The keepalive: any authenticated call restarts the idle time; the same session comes back.
		async refresh(call, connection, session, service) {
			const spec = select(connection);
			const response = await sessionCall(call, connection, spec, 'GET', spec.check.path, session);
			if (!isSuccess(response)) throw failure(response, service, 'refresh');
			return sessionToken(spec, connection, session);
		},
		async check(call, connection, session) {
			const spec = select(connection);
			return liveness(spec, (await sessionCall(call, connection, spec, 'GET', spec.check.path, session)).statusCode);
		},
		async revoke(call, connection, token, service) {
			const spec = select(connection);
			const response = await sessionCall(call, connection, spec, spec.logout.method, spec.logout.path, token.accessToken);
			// Already gone is what a logout wants.
			if (!isSuccess(response) && liveness(spec, response.statusCode) !== 'dead') throw failure(response, service, 'revoke');
		},
	};
}
