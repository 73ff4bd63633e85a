/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	applyFault,
	bearerToken,
	contentKind,
	HttpError,
	opaqueToken,
	OwnerLedger,
	parseForm,
	parseJsonObject,
	readBody,
	sendJson,
	str,
	type ServiceContext,
	type ServiceImpl,
} from './shared';

const BAD_CREDENTIALS = { error: 'invalid_grant', detail: 'Invalid credentials' };
const BAD_REFRESH = { error: 'invalid_grant', detail: 'Invalid refresh token' };
const BAD_REQUEST = { error: 'invalid_request', detail: 'JSON parse error.' };

interface Pair {
	username: string;
	access: string;
	refresh: string;
	expired: boolean;
}

/**
 * FortiAuthenticator /api/fabric/authenticate. Tokens never expire (expires_in: 0).
 * Inferred: one live pair per user ("Authenticating will generate a new token"): a new login or a
 * refresh replaces the previous pair.
 */
export class FacService implements ServiceImpl {
	private readonly users = new Map<string, string>();
	private readonly pairs = new Map<string, Pair>(); // username → pair
	private readonly byAccess = new Map<string, Pair>();
	private readonly byRefresh = new Map<string, Pair>();
	private readonly owners = new OwnerLedger();

	constructor(private readonly ctx: ServiceContext) {}

	addUser(user: { username?: string; password?: string }): void {
		if (!user.username || typeof user.username !== 'string' || typeof user.password !== 'string') {
			throw new HttpError(400, { error: 'fac users need username and password' });
		}
		this.users.set(user.username, user.password);
	}

	reset(): void {
		this.revokeAll();
		this.owners.clear();
	}

	expireAll(): void {
		for (const p of this.pairs.values()) p.expired = true;
	}

	revokeAll(): void {
		this.pairs.clear();
		this.byAccess.clear();
		this.byRefresh.clear();
	}

	activeToken(userKey: string): string | undefined {
		const p = this.pairs.get(userKey);
		return p && !p.expired ? p.access : undefined;
	}

	async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
		const method = req.method ?? 'GET';
		if (path === '/api/fabric/authenticate' || path === '/api/fabric/authenticate/') {
			if (method !== 'POST') throw new HttpError(405, { detail: `Method "${method}" not allowed.` });
			return this.authenticate(req, res);
		}
		if ((path === '/api/fabric/device/status' || path === '/api/fabric/device/status/') && method === 'GET') {
			return this.status(req, res);
		}
		throw new HttpError(404, { detail: 'Not found.' });
	}

	private issue(username: string): Pair {
		const old = this.pairs.get(username);
		if (old) {
			this.byAccess.delete(old.access);
			this.byRefresh.delete(old.refresh);
		}
		const p: Pair = { username, access: opaqueToken(), refresh: opaqueToken(), expired: false };
		this.pairs.set(username, p);
		this.byAccess.set(p.access, p);
		this.byRefresh.set(p.refresh, p);
		this.owners.set(p.access, username);
		this.owners.set(p.refresh, username);
		return p;
	}

	private async authenticate(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const kind = contentKind(req);
		if (kind === 'other') throw new HttpError(415, { detail: `Unsupported media type "${String(req.headers['content-type'])}" in request.` });
		const text = await readBody(req);
		const body = kind === 'form' ? parseForm(text) : parseJsonObject(text, BAD_REQUEST);
		const isRefresh = str(body, 'grant_type') === 'refresh_token';
		const fault = this.ctx.faults.take('fac', isRefresh ? 'refresh' : 'token');
		const noToken = { expires_in: 0, message: 'successfully authenticated', scope: 'read', success: 'true', token_type: 'Bearer' };
		if (fault && (await applyFault(fault, req, res, noToken))) return;
		const expiresIn = fault?.type === 'expires' ? fault.value : 0;

		if (isRefresh) {
			const rt = str(body, 'refresh_token');
			if (!rt) {
				this.ctx.stats.bump('fac', 'failedRefreshes');
				throw new HttpError(400, { error: 'invalid_request', detail: 'refresh_token is required' });
			}
			const p = this.byRefresh.get(rt);
			if (!p) {
				this.ctx.stats.bump('fac', 'failedRefreshes', this.owners.get(rt));
				throw new HttpError(401, BAD_REFRESH);
			}
			const n = this.issue(p.username);
			this.ctx.stats.bump('fac', 'refreshes', p.username);
			sendJson(res, 200, {
				access_token: n.access,
				expires_in: expiresIn,
				message: 'Token has been refreshed successfully',
				refresh_token: n.refresh,
				scope: 'read',
				success: 'true',
				token_type: 'Bearer',
			});
			return;
		}
		if (body.grant_type !== undefined && body.grant_type !== 'password') {
			this.ctx.stats.bump('fac', 'failedLogins');
			throw new HttpError(400, { error: 'unsupported_grant_type', detail: 'Unsupported grant type' });
		}
		const username = str(body, 'username');
		const password = body.password;
		if (!username || typeof password !== 'string') {
			this.ctx.stats.bump('fac', 'failedLogins');
			throw new HttpError(400, { error: 'invalid_request', detail: 'username and password are required' });
		}
		if (this.users.get(username) !== password) {
			this.ctx.stats.bump('fac', 'failedLogins', this.users.has(username) ? username : undefined);
			throw new HttpError(401, BAD_CREDENTIALS);
		}
		const p = this.issue(username);
		this.ctx.stats.bump('fac', 'logins', username);
		sendJson(res, 200, {
			access_token: p.access,
			expires_in: expiresIn,
			message: 'successfully authenticated',
			refresh_token: p.refresh,
			scope: 'read',
			success: 'true',
			token_type: 'Bearer',
		});
	}

	private async status(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const { header, token } = bearerToken(req);
		const owner = token ? this.owners.get(token) : undefined;
		if (header !== undefined) this.ctx.stats.authorization('fac', header, owner);
		const fault = this.ctx.faults.take('fac', 'resource');
		if (fault && (await applyFault(fault, req, res, { success: 'true' }))) return;
		const p = token ? this.byAccess.get(token) : undefined;
		if (!p || p.expired) {
			this.ctx.stats.bump('fac', 'apiRejected', owner);
			sendJson(res, 401, { detail: 'Invalid token.' });
			return;
		}
		this.ctx.stats.bump('fac', 'apiAccepted', p.username);
		sendJson(res, 200, {
			success: 'true',
			serial: 'FAC-VMTM00000000',
			version: '6.6.1',
			hostname: 'demo-fac',
			user: p.username,
		});
	}
}
