/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	applyFault,
	bearerToken,
	HttpError,
	OwnerLedger,
	parseJsonObject,
	readBody,
	sendJson,
	SessionBook,
	type ApplianceSession,
	type ServiceContext,
	type ServiceImpl,
} from './shared';
import type { FaultEndpoint } from './types';

/** Who a FortiCloud IAM access token belongs to, when it is valid now (the IAM emulator answers). */
export type IamTokenLookup = (accessToken: string) => { username: string; clientId: string } | undefined;

type Session = ApplianceSession;

/** Idle timeout of a session, seconds. Guess: real appliances use the admin idle timeout setting. */
export const DEFAULT_SESSION_IDLE_SECONDS = 300;

/** The status of an invalid or expired session (seen in Fortinet's examples). */
const NO_PERMISSION = { code: -11, message: 'No permission for the resource' };
/** Guess: the status FortiManager answers a wrong user or password with. */
const LOGIN_FAIL = { code: -22, message: 'Login fail' };
const OK = { code: 0, message: 'OK' };

/**
 * FortiManager / FortiAnalyzer JSON-RPC (`POST /jsonrpc`), on-premises or as a FortiCloud instance.
 * Failures are HTTP 200 with `result[0].status.code` ≠ 0, as the real API answers. Sessions expire
 * after `lifetime(<service>)` seconds without use; any call with the session, `get /sys/session`
 * included, restarts that time (guess: the idle timeout works like the GUI's).
 *
 * - on-premises (`cloudClientId` undefined): `exec /sys/login/user` with admin user and password,
 *   `exec /sys/logout`, and API-key admins (`Authorization: Bearer <key>`, FortiManager 7.2.2+).
 * - cloud: `POST /p/forticloud_jsonrpc_login/` `{access_token}` with a valid FortiCloud IAM token of
 *   client_id `cloudClientId` → `{session}`. No login with a password, no API keys.
 */
export class FmgService implements ServiceImpl {
	/**
	 * 'fsa': FortiSandbox's dialect of the same JSON-RPC (sources: docs/HOW-IT-WORKS.md): a result
	 * is one object, not a list; `get /sys/login/token` exchanges a PaaS API token for a session;
	 * no `get /sys/session`, no API-key admins. Guess: a dead session is -11, as on FortiManager.
	 */
	readonly dialect: 'fmg' | 'fsa';

	private readonly users = new Map<string, string>();
	private readonly apiKeys = new Map<string, string>(); // key → user
	private readonly sessions = new SessionBook<Session>(() => this.idleMs());
	private readonly owners = new OwnerLedger();

	constructor(
		private readonly ctx: ServiceContext,
		private readonly cloudClientId?: string,
		private readonly iamToken?: IamTokenLookup,
		dialect: 'fmg' | 'fsa' = 'fmg',
	) {
		this.dialect = dialect;
	}

	addUser(user: { username?: string; password?: string; apiCredential?: string }): void {
		if (!user.username || typeof user.username !== 'string' || typeof user.password !== 'string') {
			throw new HttpError(400, { error: `${this.ctx.service} users need username and password` });
		}
		this.users.set(user.username, user.password);
		if (typeof user.apiCredential === 'string' && user.apiCredential) this.apiKeys.set(user.apiCredential, user.username);
	}

	reset(): void {
		this.revokeAll();
		this.owners.clear();
	}

	/** Every session times out (as if idle too long, or the administrator deleted them). */
	expireAll(): void {
		this.sessions.expireAll();
	}

	revokeAll(): void {
		this.sessions.clear();
	}

	activeToken(userKey: string): string | undefined {
		return this.sessions.newest(userKey)?.id;
	}

	/** Sessions open (not logged out, not timed out) for a user: what piles up on an appliance. */
	openSessions(userKey: string): number {
		return this.sessions.live(userKey).length;
	}

	async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
		const method = req.method ?? 'GET';
		if (path === '/jsonrpc' || path === '/jsonrpc/') {
			if (method !== 'POST') throw new HttpError(405, { error: 'Method Not Allowed' });
			return this.jsonRpc(req, res);
		}
		if (this.cloudClientId && (path === '/p/forticloud_jsonrpc_login/' || path === '/p/forticloud_jsonrpc_login')) {
			if (method !== 'POST') throw new HttpError(405, { error: 'Method Not Allowed' });
			return this.exchange(req, res);
		}
		throw new HttpError(404, { error: 'Not Found' });
	}

	private idleMs(): number {
		return this.ctx.config.lifetimes.get(this.ctx.service) !== undefined
			? this.ctx.config.lifetime(this.ctx.service) * 1000
			: DEFAULT_SESSION_IDLE_SECONDS * 1000;
	}

	private alive(s: Session): boolean {
		return this.sessions.alive(s);
	}

	private open(user: string): Session {
		const s: Session = { id: randomBytes(48).toString('base64'), user, lastUsed: Date.now(), expired: false };
		this.sessions.add(s);
		this.owners.set(s.id, user);
		return s;
	}

	private async fault(req: IncomingMessage, res: ServerResponse, endpoint: FaultEndpoint, fallback: unknown): Promise<boolean> {
		const fault = this.ctx.faults.take(this.ctx.service, endpoint);
		return fault !== undefined && (await applyFault(fault, req, res, fallback));
	}

	private async exchange(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const body = parseJsonObject(await readBody(req), { error: 'invalid JSON body' });
		if (await this.fault(req, res, 'token', { session: 'x' })) return;
		const token = typeof body.access_token === 'string' ? body.access_token : '';
		const owner = token && this.iamToken ? this.iamToken(token) : undefined;
		if (!owner || owner.clientId !== this.cloudClientId) {
			// Guess: the instance answers a token it does not accept with a 401 and a short error.
			this.ctx.stats.bump(this.ctx.service, 'failedLogins', owner?.username);
			sendJson(res, 401, { error: 'invalid access token' });
			return;
		}
		const s = this.open(owner.username);
		this.ctx.stats.bump(this.ctx.service, 'logins', owner.username);
		sendJson(res, 200, { session: s.id });
	}

	private async jsonRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const body = parseJsonObject(await readBody(req), { id: null, result: [{ status: { code: -9, message: 'Invalid JSON' } }] });
		const id = body.id ?? null;
		const params = Array.isArray(body.params) ? (body.params as unknown[]) : [];
		const first = (params[0] ?? {}) as Record<string, unknown>;
		const url = typeof first.url === 'string' ? first.url : '';
		const route = `${String(body.method)} ${url.replace(/^\/?/, '/').replace(/\/+$/, '')}`;
		const answer = (status: { code: number; message: string }, extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}): void => {
			const result = { status, url, ...extra };
			sendJson(res, 200, { id, ...(this.dialect === 'fsa' ? { ver: body.ver ?? '2.5', result } : { result: [result] }), ...top });
		};
		if (this.dialect === 'fsa' && route === 'get /sys/login/token') return this.tokenLogin(req, res, first, answer);

		if (route === 'exec /sys/login/user') {
			if (await this.fault(req, res, 'token', { id, result: [{ status: OK, url }], session: 'x' })) return;
			// The data is an object, or a list of one (both forms appear in Fortinet's examples).
			const data = (Array.isArray(first.data) ? first.data[0] : first.data) as Record<string, unknown> | undefined;
			const user = typeof data?.user === 'string' ? data.user : '';
			if (this.cloudClientId || !user || this.users.get(user) !== data?.passwd) {
				this.ctx.stats.bump(this.ctx.service, 'failedLogins', this.users.has(user) ? user : undefined);
				return answer(LOGIN_FAIL);
			}
			const s = this.open(user);
			this.ctx.stats.bump(this.ctx.service, 'logins', user);
			return answer(OK, {}, { session: s.id });
		}

		// API-key admins: the key replaces the session (FortiManager 7.2.2+, on-premises only).
		const { header, token: bearer } = bearerToken(req);
		if (header !== undefined && !this.cloudClientId && this.dialect === 'fmg') {
			const keyUser = bearer ? this.apiKeys.get(bearer) : undefined;
			this.ctx.stats.authorization(this.ctx.service, header, keyUser);
			if (!keyUser) {
				this.ctx.stats.bump(this.ctx.service, 'apiRejected');
				// Guess: a wrong key is refused at the HTTP level.
				sendJson(res, 401, { id, result: [{ status: { code: -11, message: 'No permission for the resource' }, url }] });
				return;
			}
			if (await this.fault(req, res, 'resource', { id, result: [{ status: OK, url }] })) return;
			this.ctx.stats.bump(this.ctx.service, 'apiAccepted', keyUser);
			return this.resource(url, keyUser, answer);
		}

		const sessionId = typeof body.session === 'string' ? body.session : '';
		const owner = sessionId ? this.owners.get(sessionId) : undefined;
		const s = sessionId ? this.sessions.get(sessionId) : undefined;
		const live = s !== undefined && this.alive(s);
		if (s && live) s.lastUsed = Date.now();

		if (route === 'exec /sys/logout') {
			if (await this.fault(req, res, 'revoke', { id, result: [{ status: OK, url }] })) return;
			if (!s || !live) return answer(NO_PERMISSION);
			this.sessions.delete(s.id);
			this.ctx.stats.bump(this.ctx.service, 'revokes', s.user);
			return answer(OK);
		}
		if (route === 'get /sys/session' && this.dialect === 'fmg') {
			if (await this.fault(req, res, 'check', { id, result: [{ status: OK, url }] })) return;
			this.ctx.stats.bump(this.ctx.service, 'tokenChecks', owner);
			if (!s || !live) return answer(NO_PERMISSION);
			// Guess at the shape: `valid` and `time_left` (seconds) as the docs name them.
			return answer(OK, { data: { valid: 1, time_left: Math.floor(this.idleMs() / 1000), user: s.user } });
		}

		this.ctx.stats.authorization(this.ctx.service, `session ${sessionId}`, owner);
		if (await this.fault(req, res, 'resource', { id, result: [{ status: OK, url }] })) return;
		if (!s || !live) {
			this.ctx.stats.bump(this.ctx.service, 'apiRejected', owner);
			return answer(NO_PERMISSION);
		}
		this.ctx.stats.bump(this.ctx.service, 'apiAccepted', s.user);
		return this.resource(url, s.user, answer);
	}

	/** FortiSandbox PaaS: a token generated in the portal, exchanged for a session. */
	private async tokenLogin(
		req: IncomingMessage,
		res: ServerResponse,
		first: Record<string, unknown>,
		answer: (status: { code: number; message: string }, extra?: Record<string, unknown>, top?: Record<string, unknown>) => void,
	): Promise<void> {
		if (await this.fault(req, res, 'token', { result: { status: OK }, session: 'x' })) return;
		const data = first.data as Record<string, unknown> | undefined;
		const user = typeof data?.token === 'string' ? this.apiKeys.get(data.token) : undefined;
		if (!user) {
			this.ctx.stats.bump(this.ctx.service, 'failedLogins');
			return answer(LOGIN_FAIL);
		}
		const s = this.open(user);
		this.ctx.stats.bump(this.ctx.service, 'logins', user);
		return answer(OK, {}, { session: s.id });
	}

	/** The few resources the emulator serves with a valid session or key. */
	private resource(
		url: string,
		user: string,
		answer: (status: { code: number; message: string }, extra?: Record<string, unknown>) => void,
	): void {
		const path = url.replace(/^\/?/, '/').replace(/\/+$/, '');
		if (path === '/sys/status' && this.dialect === 'fsa') {
			return answer(OK, { data: { hostname: 'demo-fsa', version: 'v4.4.5', model: 'FSA-VM', user } });
		}
		if (path === '/sys/status') {
			return answer(OK, {
				data: {
					Hostname: this.cloudClientId ? `${this.ctx.service}-instance` : 'demo-fmg',
					Version: 'v7.4.5-build2511 240524 (GA)',
					'Platform Type': this.cloudClientId === 'FortiAnalyzer' ? 'FAZ-VM64' : 'FMG-VM64',
					'Admin User': user,
				},
			});
		}
		if (path === '/dvmdb/device') {
			return answer(OK, { data: [{ name: 'demo-fgt-01', sn: 'FGVM0000000001', conn_status: 1, os_ver: 7 }] });
		}
		// Guess: an unknown URL with a valid session.
		return answer({ code: -6, message: 'Invalid url' });
	}
}
