import { describeErrorBody, redact, settle, tokenError } from '../errors';
import type { FortinetTokenError } from '../errors';
import { fromExpiresIn } from '../expiry';
import { failure, HEADER_SAFE, isRecord, isSuccess, livenessOf } from '../responses';
import { settings } from '../settings';
import type { Alive, AuthCall, AuthResponse, Connection, Liveness, Protocol, ServiceDescription, TokenSet } from '../types';
import { fortiCloudIam, revokeIamToken } from './fortiCloudIam';

/**
 * JSON-RPC sessions: FortiManager and FortiAnalyzer, and (described by its own `JsonRpcSpec`)
 * FortiSandbox. Every call is `POST <host>/jsonrpc`, and a failure usually comes back as HTTP 200
 * with the result's `status.code` ≠ 0: on FortiManager -11 ("No permission for the resource") for a
 * session that is invalid or gone. `get /sys/session` tells whether a session is valid and how long
 * it has left (`time_left`, seconds).
 */

/** The status code of an invalid, expired or logged-out session. */
export const INVALID_SESSION = -11;

/** What differs between the JSON-RPC appliances: envelope, login call, check call, dead codes. */
export interface JsonRpcSpec {
	/** Members every request carries besides id, method, params and session (FortiSandbox: `ver`). */
	envelope?: Record<string, unknown>;
	/** The login call for a connection: a password login, or a token exchange. */
	login(connection: Connection): { method: 'exec' | 'get'; url: string; data: unknown; secret?: string };
	/** A read that any live session may make; its `data.time_left` (seconds), when there, is the lifetime left. */
	checkUrl: string;
	/** Status codes of a session that is invalid, expired or logged out. */
	invalid: readonly number[];
}

/** FortiManager / FortiAnalyzer (on premises and the cloud instances' sessions). */
const FMG: JsonRpcSpec = {
	login: (connection) => ({ method: 'exec', url: '/sys/login/user', data: { user: connection.username ?? '', passwd: connection.password ?? '' }, secret: connection.password }),
	checkUrl: '/sys/session',
	invalid: [INVALID_SESSION],
};

function sessionHost(connection: Connection): string {
	return connection.apiUrl ?? connection.baseUrl;
}

/** The (first) result of a JSON-RPC answer: of an array of results, or the one object (FortiSandbox). */
function firstResult(body: unknown): Record<string, unknown> | undefined {
	if (!isRecord(body)) return undefined;
	const result: unknown = Array.isArray(body.result) ? body.result[0] : body.result;
	return isRecord(result) ? result : undefined;
}

/** The `status` of the (first) result of a JSON-RPC answer, when there is one. */
export function rpcStatus(body: unknown): { code: number; message: string } | undefined {
	const status = firstResult(body)?.status;
	if (!isRecord(status) || typeof status.code !== 'number') return undefined;
	return { code: status.code, message: typeof status.message === 'string' ? status.message : '' };
}

async function rpc(
	call: AuthCall,
	connection: Connection,
	spec: JsonRpcSpec,
	method: 'exec' | 'get',
	url: string,
	extra: { data?: unknown; session?: string; secrets?: Array<string | undefined> },
): Promise<AuthResponse> {
	return await call({
		method: 'POST',
		url: `${sessionHost(connection)}/jsonrpc`,
		body: {
			id: 1,
			...spec.envelope,
			method,
			params: [{ url, ...(extra.data !== undefined ? { data: extra.data } : {}) }],
			...(extra.session !== undefined ? { session: extra.session } : {}),
		},
		secrets: extra.secrets,
	});
}

/** An answer with HTTP 200 but a JSON-RPC failure, in the user's words. */
function rpcFailure(response: AuthResponse, service: ServiceDescription, what: string, hint: string): FortinetTokenError {
	const status = rpcStatus(response.body);
	const said = status ? `code ${status.code}${status.message ? `: ${redact(status.message, response.secrets ?? [])}` : ''}` : describeErrorBody(response.body, response.secrets);
	return tokenError('badCredentials', `${service.label} refused the ${what}${said ? ` (${said})` : ''}. ${hint}`, response.statusCode);
}

/** The `session` of a login or exchange answer; anything short of a usable one is an error. */
function readSession(response: AuthResponse, service: ServiceDescription, what: string): string {
	if (!isRecord(response.body)) {
		// Never quoted: a 2xx text may hold a live session (a proxy appended to the JSON).
		throw tokenError(
			'badResponse',
			`${service.label} answered the ${what} with a body that is not JSON (HTTP ${response.statusCode}). Check the URL points at the ${service.label} API and that no proxy changes its answers.`,
			response.statusCode,
		);
	}
	const session = response.body.session;
	if (typeof session !== 'string' || session.trim() === '') {
		const said = describeErrorBody(response.body, response.secrets);
		throw tokenError('badResponse', `${service.label} answered the ${what} without a session${said ? ` (${said})` : ''}. Check the URL points at the ${service.label} API.`, response.statusCode);
	}
	// Sessions are base64 text: what a header-safe token is.
	if (!HEADER_SAFE.test(session) || session.length > settings.maxTokenLength) {
		throw tokenError('badResponse', `${service.label} answered the ${what} with a session n8n cannot use (too long, or with spaces or control characters).`, response.statusCode);
	}
	return session;
}

/**
 * The answer's session, or (an answer n8n cannot use) an error, after logging out a session the
 * unusable answer still opened: otherwise every later try would leave one more open.
 */
async function sessionOf(call: AuthCall, connection: Connection, spec: JsonRpcSpec, response: AuthResponse, service: ServiceDescription, what: string): Promise<string> {
	const read = await settle(async () => readSession(response, service, what));
	if (read.ok) return read.value;
	const opened = typeof response.body === 'string' ? /"session"\s*:\s*"([\x21\x23-\x5B\x5D-\x7E]+)"/.exec(response.body)?.[1] : undefined;
	if (opened) await settle(async () => await logout(call, connection, spec, opened, service));
	throw read.error;
}

/** The check call (`get /sys/session`): alive with its remaining lifetime, dead (-11), or cannot tell. */
async function checkSession(call: AuthCall, connection: Connection, spec: JsonRpcSpec, session: string): Promise<Liveness | Alive> {
	const response = await rpc(call, connection, spec, 'get', spec.checkUrl, { session, secrets: [session] });
	if (!isSuccess(response)) return livenessOf(response.statusCode) === 'dead' ? 'dead' : 'unknown';
	const status = rpcStatus(response.body);
	if (status && spec.invalid.includes(status.code)) return 'dead';
	if (status?.code !== 0) return 'unknown';
	const data = firstResult(response.body)?.data;
	const left = isRecord(data) ? Number(data.time_left) : Number.NaN;
	if (isRecord(data) && (data.valid === 0 || data.valid === false)) return 'dead';
	// fromExpiresIn keeps an absurd time_left (a year, a fraction of a second) from becoming an expiry.
	return { liveness: 'alive', expiresAt: Number.isFinite(left) && left > 0 ? fromExpiresIn(left, session, Date.now()) : null };
}

/** A new session as a TokenSet, with the lifetime the service reports for it. */
async function sessionToken(call: AuthCall, connection: Connection, spec: JsonRpcSpec, session: string, refreshToken?: string): Promise<TokenSet> {
	const now = Date.now();
	const described = await checkSession(call, connection, spec, session).catch((): Liveness => 'unknown');
	return {
		accessToken: session,
		refreshToken,
		tokenType: 'session',
		// Unknown lifetime: the engine's checks before use find out when it ends.
		expiresAt: typeof described === 'object' ? described.expiresAt : null,
		issuedAt: now,
		confirmedAt: now,
	};
}

async function logout(call: AuthCall, connection: Connection, spec: JsonRpcSpec, session: string, service: ServiceDescription): Promise<void> {
	const response = await rpc(call, connection, spec, 'exec', '/sys/logout', { session, secrets: [session] });
	if (!isSuccess(response)) throw failure(response, service, 'revoke');
	const status = rpcStatus(response.body);
	// Already gone (-11) is what a logout wants.
	if (status && status.code !== 0 && !spec.invalid.includes(status.code)) {
		throw tokenError('serviceError', `${service.label} refused the logout (code ${status.code}${status.message ? `: ${status.message}` : ''}).`);
	}
}

/**
 * A JSON-RPC appliance's sessions: the spec's login (a password, or a token exchanged for a
 * session), its check, `exec /sys/logout`. On-premises FortiManager / FortiAnalyzer is one.
 */
export function jsonRpcSession(family: string, spec: JsonRpcSpec): Protocol {
	return {
		family,

		async login(call, connection, service) {
			const { method, url, data, secret } = spec.login(connection);
			const response = await rpc(call, connection, spec, method, url, { data, secrets: [secret] });
			if (!isSuccess(response)) throw failure(response, service, 'login');
			const status = rpcStatus(response.body);
			if (status && status.code !== 0) {
				throw rpcFailure(response, service, 'login', `Check ${service.secretHint}.`);
			}
			return await sessionToken(call, connection, spec, await sessionOf(call, connection, spec, response, service, 'login'));
		},

		check: async (call, connection, session) => await checkSession(call, connection, spec, session),

		async revoke(call, connection, token, service) {
			await logout(call, connection, spec, token.accessToken, service);
		},
	};
}

/** On-premises FortiManager / FortiAnalyzer: `exec sys/login/user`, `exec sys/logout`. */
export const fortiManagerSession: Protocol = jsonRpcSession('fortimanager', FMG);

/** The FortiCloud IAM half of a cloud instance's login: the token service at `baseUrl`. */
function iamOf(connection: Connection): Connection {
	return { ...connection, apiUrl: undefined };
}

/** FortiCloud IAM token → session at the instance (`/p/forticloud_jsonrpc_login/`). */
async function exchange(call: AuthCall, connection: Connection, iam: TokenSet, service: ServiceDescription): Promise<TokenSet> {
	const response = await call({
		method: 'POST',
		url: `${sessionHost(connection)}/p/forticloud_jsonrpc_login/`,
		body: { access_token: iam.accessToken },
		secrets: [iam.accessToken, iam.refreshToken],
	});
	const hint = `Check that the API user's permission profile includes ${service.label} and that the Instance URL is this account's instance.`;
	if (!isSuccess(response)) {
		if ([400, 401, 403].includes(response.statusCode)) throw rpcFailure(response, service, 'FortiCloud token at the instance', hint);
		throw failure(response, service, 'login');
	}
	const status = rpcStatus(response.body);
	if (status && status.code !== 0) throw rpcFailure(response, service, 'FortiCloud token at the instance', hint);
	return await sessionToken(call, connection, FMG, await sessionOf(call, connection, FMG, response, service, 'session exchange'), iam.refreshToken);
}

/**
 * FortiManager Cloud / FortiAnalyzer Cloud: a FortiCloud IAM login (client_id FortiManager or
 * FortiAnalyzer), exchanged at the instance for a session. The IAM refresh token is kept as the
 * session's refresh token: a dead session is re-established with an IAM refresh, not a login.
 */
export const fortiManagerCloudSession: Protocol = {
	family: 'fortimanager-cloud',

	async login(call, connection, service) {
		const iam = await fortiCloudIam.login(call, iamOf(connection), service);
		return await exchange(call, connection, iam, service);
	},

	async refresh(call, connection, refreshToken, service) {
		const iam = await fortiCloudIam.refresh!(call, iamOf(connection), refreshToken, service);
		return await exchange(call, connection, iam, service);
	},

	check: async (call, connection, session) => await checkSession(call, connection, FMG, session),

	async revoke(call, connection, token, service) {
		await logout(call, connection, FMG, token.accessToken, service);
		// The refresh token would still mint IAM tokens for new sessions.
		if (token.refreshToken) {
			await revokeIamToken(call, iamOf(connection), token.refreshToken, service);
		}
	},
};
