/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	applyFault,
	base64url,
	bearerToken,
	contentKind,
	HttpError,
	OwnerLedger,
	parseForm,
	readBody,
	sendRaw,
	str,
	type ServiceContext,
	type ServiceImpl,
} from './shared';

/** Stated for FortiCNP (successor of FortiCWP): refresh tokens live about 8 hours. */
const REFRESH_LIFETIME_MS = 8 * 3600 * 1000;
const MAX_TOKENS = 20_000;

const BAD_CREDENTIALS = { error: 'invalid_grant', error_description: 'Bad credentials' };
const BAD_REFRESH = { error: 'invalid_grant', error_description: 'Invalid refresh token' };
const UNAUTHORIZED_CLIENT = {
	error: 'unauthorized',
	error_description: 'Full authentication is required to access this resource',
};
const REJECTED = { code: 401, msg: 'unauthorized', message: 'Invalid or expired token', httpCode: 401 };

interface AccessEntry {
	userKey: string;
	expiresAt: number;
}

interface RefreshEntry {
	userKey: string;
	subject: string; // JWT aid
	expiresAt: number;
}

/**
 * Java's Double.toString for an epoch-ms value: 1585002117836 → "1.585002117836E12".
 * FortiCASB/FortiCWP write `expires` this way.
 */
export function javaDouble(ms: number): string {
	const digits = String(Math.trunc(ms));
	if (!/^\d{8,}$/.test(digits)) return JSON.stringify(ms);
	const fraction = digits.slice(1).replace(/0+$/, '') || '0';
	return `${digits[0]}.${fraction}E${digits.length - 1}`;
}

/**
 * FortiCASB / FortiCWP auth service (one implementation, two listeners).
 * Access tokens are HS256 JWTs; several may be valid at once; refresh returns no new refresh token.
 */
export class CasbService implements ServiceImpl {
	private readonly passwords = new Map<string, string>();
	private readonly credentials = new Map<string, string>(); // apiCredential → JWT subject
	private readonly access = new Map<string, AccessEntry>();
	private readonly refresh = new Map<string, RefreshEntry>();
	private readonly owners = new OwnerLedger();
	private readonly secret = randomBytes(32);
	private readonly hostLabel: string;

	constructor(private readonly ctx: ServiceContext) {
		this.hostLabel = ctx.service === 'casb' ? 'FCASB' : 'FCWP';
	}

	addUser(user: { username?: string; password?: string; apiCredential?: string }): void {
		const hasLogin = typeof user.username === 'string' && user.username && typeof user.password === 'string';
		const hasCred = typeof user.apiCredential === 'string' && user.apiCredential.length > 0;
		if (!hasLogin && !hasCred) {
			throw new HttpError(400, { error: `${this.ctx.service} users need username+password and/or apiCredential` });
		}
		if (hasLogin) this.passwords.set(user.username as string, user.password as string);
		if (hasCred) this.credentials.set(user.apiCredential as string, user.username || `credential-${(user.apiCredential as string).slice(0, 8)}`);
	}

	reset(): void {
		this.access.clear();
		this.refresh.clear();
		this.owners.clear();
	}

	expireAll(): void {
		const past = Date.now() - 1;
		for (const e of this.access.values()) e.expiresAt = past;
	}

	revokeAll(): void {
		this.access.clear();
		this.refresh.clear();
	}

	activeToken(userKey: string): string | undefined {
		const now = Date.now();
		let found: string | undefined;
		for (const [token, e] of this.access) if (e.userKey === userKey && e.expiresAt > now) found = token;
		return found;
	}

	async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
		const method = req.method ?? 'GET';
		const post = (): void => {
			if (method !== 'POST') throw new HttpError(405, { error: 'method_not_allowed', error_description: `Request method '${method}' not supported` });
		};
		if (path === '/api/v1/auth/token') {
			post();
			return this.grant(req, res, 'password');
		}
		if (path === '/api/v1/auth/credentials/token/' || path === '/api/v1/auth/credentials/token') {
			post();
			return this.grant(req, res, 'client_credentials');
		}
		if (path === '/api/v1/auth/token/refresh') {
			post();
			return this.grant(req, res, 'refresh_token');
		}
		if (path === '/api/v1/resourceURLMap' && method === 'GET') return this.resourceUrlMap(req, res);
		throw new HttpError(404, { code: 404, msg: 'not found', message: 'Not Found', httpCode: 404 });
	}

	private sweep(now: number): void {
		for (const [t, e] of this.access) if (e.expiresAt <= now) this.access.delete(t);
		for (const [t, e] of this.refresh) if (e.expiresAt <= now) this.refresh.delete(t);
		while (this.access.size > MAX_TOKENS) this.access.delete(this.access.keys().next().value as string);
		while (this.refresh.size > MAX_TOKENS) this.refresh.delete(this.refresh.keys().next().value as string);
	}

	private jwt(subject: string, expSeconds: number): string {
		const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
		const payload = base64url(
			JSON.stringify({ scope: 'API', iss: 'fauth-server', host: [this.hostLabel], exp: expSeconds, aid: subject, jti: randomUUID() }),
		);
		const sig = base64url(createHmac('sha256', this.secret).update(`${header}.${payload}`).digest());
		return `${header}.${payload}.${sig}`;
	}

	private answer(res: ServerResponse, fields: Record<string, string>, expiresMs: number, override?: { value: unknown }): void {
		const expires = override ? JSON.stringify(override.value ?? null) : javaDouble(expiresMs);
		const parts = [`"token_type":"bearer"`, `"expires":${expires}`];
		for (const [k, v] of Object.entries(fields)) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
		sendRaw(res, 200, `{${parts.join(',')}}`, 'application/json;charset=UTF-8');
	}

	private async grant(
		req: IncomingMessage,
		res: ServerResponse,
		expected: 'password' | 'client_credentials' | 'refresh_token',
	): Promise<void> {
		const svc = this.ctx.service;
		const endpoint = expected === 'refresh_token' ? 'refresh' : 'token';
		const failed = expected === 'refresh_token' ? 'failedRefreshes' : 'failedLogins';
		const kind = contentKind(req);
		const text = await readBody(req);
		const fault = this.ctx.faults.take(svc, endpoint);
		if (fault && (await applyFault(fault, req, res, { token_type: 'bearer', expires: Date.now() + 3600_000 }))) return;
		const override = fault?.type === 'expires' ? { value: fault.value } : undefined;

		if (kind !== 'form') {
			this.ctx.stats.bump(svc, failed);
			throw new HttpError(400, {
				error: 'invalid_request',
				error_description: `Content type '${String(req.headers['content-type'] ?? '')}' not supported; use application/x-www-form-urlencoded`,
			});
		}
		const body = parseForm(text);
		const grantType = str(body, 'grant_type');
		if (grantType !== expected) {
			this.ctx.stats.bump(svc, failed);
			throw new HttpError(400, {
				error: grantType ? 'unsupported_grant_type' : 'invalid_request',
				error_description: grantType ? `Unsupported grant type: ${grantType}` : 'Missing grant type',
			});
		}
		const now = Date.now();
		this.sweep(now);
		const lifetimeMs = this.ctx.config.lifetime(svc) * 1000;

		if (expected === 'refresh_token') {
			const rt = str(body, 'refresh_token');
			if (!rt) {
				this.ctx.stats.bump(svc, 'failedRefreshes');
				throw new HttpError(400, { error: 'invalid_request', error_description: 'Missing refresh_token' });
			}
			const entry = this.refresh.get(rt);
			if (!entry || entry.expiresAt <= now) {
				this.ctx.stats.bump(svc, 'failedRefreshes', this.owners.get(rt));
				throw new HttpError(401, BAD_REFRESH);
			}
			const expiresMs = now + lifetimeMs;
			const token = this.jwt(entry.subject, Math.floor(expiresMs / 1000));
			this.access.set(token, { userKey: entry.userKey, expiresAt: expiresMs });
			this.owners.set(token, entry.userKey);
			this.ctx.stats.bump(svc, 'refreshes', entry.userKey);
			this.answer(res, { access_token: token }, expiresMs, override);
			return;
		}

		let userKey: string;
		let subject: string;
		if (expected === 'password') {
			const username = str(body, 'username');
			const password = body.password;
			if (!username || typeof password !== 'string') {
				this.ctx.stats.bump(svc, 'failedLogins');
				throw new HttpError(400, { error: 'invalid_request', error_description: 'Missing username or password' });
			}
			if (this.passwords.get(username) !== password) {
				this.ctx.stats.bump(svc, 'failedLogins', this.passwords.has(username) ? username : undefined);
				throw new HttpError(401, BAD_CREDENTIALS);
			}
			userKey = username;
			subject = username;
		} else {
			const raw = req.headers.authorization;
			const header = Array.isArray(raw) ? raw[0] : raw;
			const m = header ? /^\s*basic\s+(\S+)\s*$/i.exec(header) : null;
			if (!m) {
				this.ctx.stats.bump(svc, 'failedLogins');
				throw new HttpError(401, UNAUTHORIZED_CLIENT);
			}
			const credential = m[1];
			const sub = this.credentials.get(credential);
			if (sub === undefined) {
				this.ctx.stats.bump(svc, 'failedLogins');
				throw new HttpError(401, BAD_CREDENTIALS);
			}
			userKey = `credential:${credential.slice(0, 8)}`;
			subject = sub;
		}
		const expiresMs = now + lifetimeMs;
		const token = this.jwt(subject, Math.floor(expiresMs / 1000));
		const refreshToken = base64url(randomBytes(128));
		this.access.set(token, { userKey, expiresAt: expiresMs });
		this.refresh.set(refreshToken, { userKey, subject, expiresAt: now + REFRESH_LIFETIME_MS });
		this.owners.set(token, userKey);
		this.owners.set(refreshToken, userKey);
		this.ctx.stats.bump(svc, 'logins', userKey);
		this.answer(res, { access_token: token, refresh_token: refreshToken }, expiresMs, override);
	}

	private async resourceUrlMap(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const svc = this.ctx.service;
		const { header, token } = bearerToken(req);
		const owner = token ? this.owners.get(token) : undefined;
		if (header !== undefined) this.ctx.stats.authorization(svc, header, owner);
		const fault = this.ctx.faults.take(svc, 'resource');
		if (fault && (await applyFault(fault, req, res, { code: 0, msg: 'success', httpCode: 200 }))) return;
		const entry = token ? this.access.get(token) : undefined;
		if (!entry || entry.expiresAt <= Date.now()) {
			this.ctx.stats.bump(svc, 'apiRejected', owner);
			sendRaw(res, 401, JSON.stringify(REJECTED), 'application/json;charset=UTF-8');
			return;
		}
		this.ctx.stats.bump(svc, 'apiAccepted', entry.userKey);
		sendRaw(
			res,
			200,
			JSON.stringify({
				data: {
					resourceURL: this.ctx.url(),
					roleId: 1,
					buMapSet: [{ buId: 1, companyId: 1 }],
					companyMapSet: [{ companyId: 1 }],
				},
				code: 0,
				msg: 'success',
				httpCode: 200,
			}),
			'application/json;charset=UTF-8',
		);
	}
}
