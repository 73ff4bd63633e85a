/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	applyFault,
	bearerToken,
	contentKind,
	HttpError,
	IAM_CLIENT_IDS,
	opaqueToken,
	OwnerLedger,
	parseForm,
	parseJsonObject,
	RateLimiter,
	readBody,
	sendJson,
	str,
	type ServiceContext,
	type ServiceImpl,
} from './shared';

/** Refresh tokens are not documented to expire; the emulator keeps them 30 days. */
const REFRESH_LIFETIME_MS = 30 * 24 * 3600 * 1000;

const UNKNOWN_CLIENT = { error: 'Unexpected error has happened', status: 'failure' };
const INVALID_GRANT = { error: 'invalid_grant', error_description: 'Invalid credentials given.' };
const RATE_LIMITED = { error: 'rate_limited', error_description: 'Too many requests' };
const BAD_JSON = { error: 'invalid_request', error_description: 'Malformed request body.' };

interface Session {
	key: string; // "<username>/<client_id>"
	username: string;
	clientId: string;
	access: string;
	accessExpiresAt: number;
	refresh: string;
	refreshExpiresAt: number;
}

type ResourceKind = 'sase' | 'lan' | 'flex';

/** The one switch FortiLAN Cloud knows; any other serial number is a 404 (with a valid token). */
export const KNOWN_SWITCH = 'S108EPTF00000001';

const REJECTIONS: Record<ResourceKind, unknown> = {
	sase: { status: 'error', status_message: 'Invalid or expired access token', code: 401 },
	lan: {
		error: 'invalid_token',
		error_description: 'The access token is invalid or has expired',
		status: 'failure',
	},
	flex: { status: -1, message: 'Invalid security token.', error: null },
};

/**
 * FortiCloud IAM (customerapiauth.fortinet.com) plus the resource APIs that accept its tokens.
 * ONE active token per (API user, client_id): a login or a refresh kills the previous access token.
 */
export class IamService implements ServiceImpl {
	private readonly users = new Map<string, string>();
	private readonly sessions = new Map<string, Session>();
	private readonly byAccess = new Map<string, Session>();
	private readonly byRefresh = new Map<string, Session>();
	private readonly owners = new OwnerLedger();
	private readonly limiter = new RateLimiter();

	constructor(private readonly ctx: ServiceContext) {}

	addUser(user: { username?: string; password?: string }): void {
		if (!user.username || typeof user.username !== 'string' || typeof user.password !== 'string') {
			throw new HttpError(400, { error: 'iam users need username and password' });
		}
		this.users.set(user.username, user.password);
	}

	reset(): void {
		this.sessions.clear();
		this.byAccess.clear();
		this.byRefresh.clear();
		this.owners.clear();
		this.limiter.reset();
	}

	expireAll(): void {
		const past = Date.now() - 1;
		for (const s of this.sessions.values()) s.accessExpiresAt = past;
	}

	revokeAll(): void {
		this.sessions.clear();
		this.byAccess.clear();
		this.byRefresh.clear();
	}

	/** Who a valid access token belongs to (what a FortiManager Cloud instance asks FortiCloud). */
	tokenOwner(accessToken: string): { username: string; clientId: string } | undefined {
		const s = this.byAccess.get(accessToken);
		return s && s.accessExpiresAt > Date.now() ? { username: s.username, clientId: s.clientId } : undefined;
	}

	activeToken(userKey: string): string | undefined {
		const s = this.sessions.get(userKey);
		return s && s.access && s.accessExpiresAt > Date.now() ? s.access : undefined;
	}

	async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
		const method = req.method ?? 'GET';
		if (path === '/api/v1/oauth/token/' || path === '/api/v1/oauth/token') {
			if (method !== 'POST') throw new HttpError(405, { detail: `Method "${method}" not allowed.` });
			return this.token(req, res);
		}
		if (path === '/api/v1/oauth/revoke_token/' || path === '/api/v1/oauth/revoke_token') {
			if (method !== 'POST') throw new HttpError(405, { detail: `Method "${method}" not allowed.` });
			return this.revoke(req, res);
		}
		if (path === '/api/v1/oauth/verify_token/' || path === '/api/v1/oauth/verify_token') {
			if (method !== 'GET') throw new HttpError(405, { detail: `Method "${method}" not allowed.` });
			return this.verify(req, res);
		}
		if (path === '/resource-api/v2/endpoints' && method === 'GET') {
			return this.resource(req, res, 'FortiSASE', 'sase');
		}
		if (path === '/api/v1/switches' && method === 'GET') {
			return this.resource(req, res, 'fortilancloud', 'lan');
		}
		const device = /^\/api\/v1\/switches\/([^/]+)\/?$/.exec(path);
		if (device && method === 'GET') {
			return this.resource(req, res, 'fortilancloud', 'lan', decodeURIComponent(device[1]));
		}
		if (path === '/ES/api/fortiflex/v2/programs/list' && method === 'POST') {
			await readBody(req).catch(() => '');
			return this.resource(req, res, 'flexvm', 'flex');
		}
		const generic = /^\/emulator\/api\/([^/]+)\/resource\/?$/.exec(path);
		if (generic && method === 'GET') {
			const clientId = decodeURIComponent(generic[1]);
			if (IAM_CLIENT_IDS.includes(clientId)) return this.resource(req, res, clientId, 'lan');
		}
		throw new HttpError(404, { detail: 'Not found.' });
	}

	private async readRequest(req: IncomingMessage): Promise<Record<string, unknown>> {
		const kind = contentKind(req);
		if (kind === 'other') {
			throw new HttpError(400, {
				error: 'invalid_request',
				error_description: 'Unsupported content type; send application/json.',
			});
		}
		const text = await readBody(req);
		if (kind === 'form') return parseForm(text);
		return parseJsonObject(text, BAD_JSON);
	}

	private lifetime(clientId: string): number {
		return this.ctx.config.lifetime(clientId);
	}

	/** 429 when over the client_id's auth-call budget; returns true when it answered. */
	private rateLimited(res: ServerResponse, clientId: string, userKey?: string): boolean {
		const retryAfter = this.limiter.check(clientId, this.ctx.config.rateLimit(clientId));
		if (retryAfter === undefined) return false;
		this.ctx.stats.bump('iam', 'rateLimited', userKey);
		sendJson(res, 429, RATE_LIMITED, { 'Retry-After': String(retryAfter) });
		return true;
	}

	private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const body = await this.readRequest(req);
		const grantType = str(body, 'grant_type');
		const isRefresh = grantType === 'refresh_token';
		const fault = this.ctx.faults.take('iam', isRefresh ? 'refresh' : 'token');
		const noToken = {
			expires_in: 3600,
			token_type: 'Bearer',
			scope: 'read write',
			message: isRefresh ? 'successfully refreshed' : 'successfully authenticated',
			status: 'success',
		};
		if (fault && (await applyFault(fault, req, res, noToken))) return;
		const expiresOverride = fault?.type === 'expires' ? { value: fault.value } : undefined;

		const failed = isRefresh ? 'failedRefreshes' : 'failedLogins';
		const clientId = str(body, 'client_id');
		if (!clientId) {
			this.ctx.stats.bump('iam', failed);
			throw new HttpError(400, { error: 'invalid_request', error_description: 'Missing client_id parameter.' });
		}
		if (!IAM_CLIENT_IDS.includes(clientId)) {
			this.ctx.stats.bump('iam', failed);
			throw new HttpError(401, UNKNOWN_CLIENT);
		}
		const username = str(body, 'username');
		const knownUserKey =
			!isRefresh && username && this.users.has(username) ? `${username}/${clientId}` : undefined;
		const refreshSession = isRefresh ? this.byRefresh.get(str(body, 'refresh_token') ?? '') : undefined;
		const ownerKey = isRefresh ? refreshSession?.key : knownUserKey;
		if (this.rateLimited(res, clientId, ownerKey)) return;

		if (!grantType) {
			this.ctx.stats.bump('iam', failed);
			throw new HttpError(400, { error: 'unsupported_grant_type', error_description: 'Missing grant_type parameter.' });
		}
		if (grantType !== 'password' && grantType !== 'refresh_token') {
			this.ctx.stats.bump('iam', failed);
			throw new HttpError(400, { error: 'unsupported_grant_type' });
		}
		const now = Date.now();

		if (isRefresh) {
			const rt = str(body, 'refresh_token');
			if (!rt) {
				this.ctx.stats.bump('iam', 'failedRefreshes');
				throw new HttpError(400, { error: 'invalid_request', error_description: 'Missing refresh token parameter.' });
			}
			const s = refreshSession;
			if (!s || s.clientId !== clientId || s.refreshExpiresAt <= now) {
				this.ctx.stats.bump('iam', 'failedRefreshes', s?.key ?? this.owners.get(rt));
				throw new HttpError(400, INVALID_GRANT);
			}
			// The previous access token dies now: one active token per (user, client_id).
			this.byAccess.delete(s.access);
			s.access = opaqueToken();
			s.accessExpiresAt = now + this.lifetime(clientId) * 1000;
			this.byAccess.set(s.access, s);
			this.owners.set(s.access, s.key);
			const out: Record<string, unknown> = {
				access_token: s.access,
				expires_in: expiresOverride ? expiresOverride.value : this.lifetime(clientId),
				token_type: 'Bearer',
				scope: 'read write',
			};
			if (this.ctx.config.rotateRefreshTokens) {
				this.byRefresh.delete(s.refresh);
				s.refresh = opaqueToken();
				s.refreshExpiresAt = now + REFRESH_LIFETIME_MS;
				this.byRefresh.set(s.refresh, s);
				this.owners.set(s.refresh, s.key);
				out.refresh_token = s.refresh;
			}
			out.message = 'successfully refreshed';
			out.status = 'success';
			this.ctx.stats.bump('iam', 'refreshes', s.key);
			sendJson(res, 200, out);
			return;
		}

		const password = body.password;
		if (!username || typeof password !== 'string') {
			this.ctx.stats.bump('iam', 'failedLogins');
			throw new HttpError(400, {
				error: 'invalid_request',
				error_description: `Request is missing ${username ? 'password' : 'username'} parameter.`,
			});
		}
		if (this.users.get(username) !== password) {
			this.ctx.stats.bump('iam', 'failedLogins', knownUserKey);
			throw new HttpError(400, INVALID_GRANT);
		}
		const key = `${username}/${clientId}`;
		const old = this.sessions.get(key);
		if (old) {
			// A new login replaces the whole previous pair.
			this.byAccess.delete(old.access);
			this.byRefresh.delete(old.refresh);
		}
		const s: Session = {
			key,
			username,
			clientId,
			access: opaqueToken(),
			accessExpiresAt: now + this.lifetime(clientId) * 1000,
			refresh: opaqueToken(),
			refreshExpiresAt: now + REFRESH_LIFETIME_MS,
		};
		this.sessions.set(key, s);
		this.byAccess.set(s.access, s);
		this.byRefresh.set(s.refresh, s);
		this.owners.set(s.access, key);
		this.owners.set(s.refresh, key);
		this.ctx.stats.bump('iam', 'logins', key);
		sendJson(res, 200, {
			access_token: s.access,
			expires_in: expiresOverride ? expiresOverride.value : this.lifetime(clientId),
			token_type: 'Bearer',
			scope: 'read write',
			refresh_token: s.refresh,
			message: 'successfully authenticated',
			status: 'success',
		});
	}

	private async revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const body = await this.readRequest(req);
		const fault = this.ctx.faults.take('iam', 'revoke');
		if (fault && (await applyFault(fault, req, res, { status: 'success' }))) return;
		const clientId = str(body, 'client_id');
		if (!clientId || !IAM_CLIENT_IDS.includes(clientId)) throw new HttpError(401, UNKNOWN_CLIENT);
		const token = str(body, 'token');
		const owner = token ? this.owners.get(token) : undefined;
		if (this.rateLimited(res, clientId, owner)) return;
		if (!token) {
			throw new HttpError(400, { error: 'invalid_request', error_description: 'Missing token parameter.' });
		}
		const asAccess = this.byAccess.get(token);
		const asRefresh = this.byRefresh.get(token);
		if (asAccess && asAccess.clientId === clientId) {
			// Revoking an access token leaves the refresh token usable (django-oauth-toolkit behaviour).
			this.byAccess.delete(token);
			asAccess.access = '';
			asAccess.accessExpiresAt = 0;
		} else if (asRefresh && asRefresh.clientId === clientId) {
			// Revoking the refresh token kills the whole pair.
			this.byRefresh.delete(token);
			this.byAccess.delete(asRefresh.access);
			this.sessions.delete(asRefresh.key);
		}
		this.ctx.stats.bump('iam', 'revokes', owner);
		sendJson(res, 200, { status: 'success', message: 'Token revoked successfully' });
	}

	/**
	 * GET /api/v1/oauth/verify_token/?client_id=… with the Bearer: 200 for a live token of that
	 * client_id, 401 otherwise. FortiAuthenticator's OAuth server has this call; that customerapiauth
	 * (a FortiAuthenticator OAuth server) has it too is inferred (see README: guesses).
	 */
	private async verify(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const { token } = bearerToken(req);
		const owner = token ? this.owners.get(token) : undefined;
		const fault = this.ctx.faults.take('iam', 'check');
		if (fault && (await applyFault(fault, req, res, { status: 'success' }))) return;
		this.ctx.stats.bump('iam', 'tokenChecks', owner);
		const clientId = new URL(req.url ?? '/', 'http://emulator').searchParams.get('client_id');
		if (!clientId) throw new HttpError(400, { error: 'invalid_request', error_description: 'Missing client_id parameter.' });
		const s = token ? this.byAccess.get(token) : undefined;
		if (!s || s.clientId !== clientId || s.accessExpiresAt <= Date.now()) {
			sendJson(res, 401, { error: 'invalid_token', error_description: 'The access token is invalid or has expired' });
			return;
		}
		sendJson(res, 200, { username: s.username, client_id: s.clientId, expires_in: Math.floor((s.accessExpiresAt - Date.now()) / 1000) });
	}

	private async resource(
		req: IncomingMessage,
		res: ServerResponse,
		clientId: string,
		kind: ResourceKind,
		device?: string,
	): Promise<void> {
		const { header, token } = bearerToken(req);
		const owner = token ? this.owners.get(token) : undefined;
		if (header !== undefined) this.ctx.stats.authorization('iam', header, owner);
		const fault = this.ctx.faults.take('iam', 'resource');
		if (fault && (await applyFault(fault, req, res, { status: 'success' }))) return;
		const s = token ? this.byAccess.get(token) : undefined;
		if (!s || s.clientId !== clientId || s.accessExpiresAt <= Date.now()) {
			this.ctx.stats.bump('iam', 'apiRejected', owner);
			sendJson(res, 401, REJECTIONS[kind]);
			return;
		}
		this.ctx.stats.bump('iam', 'apiAccepted', s.key);
		if (device !== undefined && device !== KNOWN_SWITCH) {
			// The API's own failure, with a valid token: a device that does not exist.
			sendJson(res, 404, { status: 'failure', error: 'not_found', error_description: `Switch ${device} not found` });
			return;
		}
		const served = { user: s.username, client_id: s.clientId };
		if (kind === 'sase') {
			sendJson(res, 200, {
				status: 'success',
				total: 1,
				data: [{ id: 'ep-0001', name: 'demo-endpoint', os: 'Windows', status: 'online' }],
				emulator: served,
			});
		} else if (kind === 'flex') {
			sendJson(res, 200, {
				status: 0,
				message: 'Request processed successfully',
				programs: [{ serialNumber: 'ELAVMS0000000001', startDate: '2024-01-01T00:00:00', endDate: '2030-01-01T00:00:00' }],
				emulator: served,
			});
		} else {
			sendJson(res, 200, {
				status: 'success',
				result: [{ sn: 'S108EPTF00000001', name: 'demo-switch', status: 'online' }],
				emulator: served,
			});
		}
	}
}
