/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	applyFault,
	cookies,
	header,
	bearerToken,
	HttpError,
	opaqueToken,
	parseForm,
	parseJsonObject,
	readBody,
	sendJson,
	sendRaw,
	SessionBook,
	type ApplianceSession,
	type ServiceContext,
	type ServiceImpl,
} from './shared';
import type { FaultEndpoint } from './types';

/**
 * The FortiOS release the emulated FortiGate runs, for the login flows that changed
 * (sources: docs/HOW-IT-WORKS.md, FortiGate): '6.2' has no /api/v2/authentication (404); from '7.6.3' /logincheck
 * answers success without a session cookie; '7.6.4' reads `password` (not `secretkey`) and never
 * puts `session_key` in the body, the session travels in cookies.
 */
export type FortiOsFirmware = '6.2' | '6.4' | '7.4' | '7.6.3' | '7.6.4';
export const FORTIOS_FIRMWARES: readonly FortiOsFirmware[] = ['6.2', '6.4', '7.4', '7.6.3', '7.6.4'];

/** The appliance settings the package must live with (`config system global` and admin settings). */
export interface FortiOsSettings {
	firmware: FortiOsFirmware;
	/** `rest-api-key-url-query`: off by default from 7.4.5, a key in `?access_token=` gets 401. */
	keyInQuery: boolean;
	/** `admin-lockout-threshold` failed logins from one source address … */
	lockoutThreshold: number;
	/** … lock it out for `admin-lockout-duration` seconds. */
	lockoutSeconds: number;
	/** `admin-login-max`: administrator sessions open at once. */
	maxSessions: number;
	/** The REST API admin's trusted hosts (source addresses); empty trusts every address. */
	trustedHosts: string[];
	/** A pre-login or post-login banner the login must acknowledge. */
	preDisclaimer: boolean;
	postDisclaimer: boolean;
	/** Administrators with a FortiToken: their login stops at the token code (LOGIN_TFA). */
	twoFactorUsers: string[];
}

export const DEFAULT_FORTIOS_SETTINGS: FortiOsSettings = {
	firmware: '7.4',
	keyInQuery: false,
	lockoutThreshold: 3,
	lockoutSeconds: 60,
	// Guess: the appliance's default admin-login-max is 100; tests lower it.
	maxSessions: 100,
	trustedHosts: [],
	preDisclaimer: false,
	postDisclaimer: false,
	twoFactorUsers: [],
};

/** `admintimeout`, seconds: FortiOS's default of 5 minutes. */
export const DEFAULT_ADMIN_TIMEOUT_SECONDS = 300;

/** How a session was opened, and so how it travels. */
type SessionKind = 'key' | 'cookie' | 'logincheck';

/** `id` is what the client sends back: the session key, or the session cookie's value. */
interface Session extends ApplianceSession {
	csrf: string;
	kind: SessionKind;
}

interface Lockout {
	failures: number;
	until: number;
}

/** `status_code` of /api/v2/authentication answers (pyFGT's list). */
const LOGIN = {
	preDisclaimer: { status_code: -2, status_message: 'LOGIN_ACCEPT_PRE_LOGIN_DISCLAIMER' },
	failed: { status_code: -1, status_message: 'LOGIN_FAILED' },
	// Guess: what a login beyond admin-login-max gets; the real answer is unconfirmed.
	tooMany: { status_code: 0, status_message: 'LOGIN_INVALID', error: 'Maximum number of administrators logged in' },
	twoFactor: { status_code: 2, status_message: 'LOGIN_TFA' },
	postDisclaimer: { status_code: 3, status_message: 'LOGIN_ACCEPT_POST_LOGIN_DISCLAIMER' },
	success: { status_code: 5, status_message: 'LOGIN_SUCCESS' },
};

/** The body of /logincheck answers: its first character is the result (pyFGT). */
const LOGINCHECK = { failed: '0', ok: '1', lockedOut: '2', twoFactor: '3' };

function apiError(res: ServerResponse, status: number, extra: Record<string, unknown> = {}): void {
	sendJson(res, status, { http_status: status, status: 'error', ...extra });
}

function unquoted(value: string): string {
	return value.replace(/^"(.*)"$/, '$1');
}

/**
 * A FortiGate's REST API as an automation meets it: REST API admins with keys (Bearer; the query
 * form refused unless `keyInQuery`; trusted hosts), administrator sessions from
 * `/api/v2/authentication` (a `session_key` sent as Bearer, or cookies and a CSRF token) and from
 * the legacy `/logincheck` (cookies `APSCOOKIE_<n>` and `ccsrftoken`), writes refused without the
 * CSRF token of a cookie session, `PUT` keepalive and `DELETE` logout, idle expiry after
 * `lifetime('fgt')` seconds (`admintimeout`), the lockout after failed logins per source address,
 * the session cap, and `GET /api/v2/monitor/system/current-admins` listing the open sessions.
 */
export class FgtService implements ServiceImpl {
	settings: FortiOsSettings = { ...DEFAULT_FORTIOS_SETTINGS, trustedHosts: [], twoFactorUsers: [] };
	private readonly admins = new Map<string, string>();
	private readonly apiKeys = new Map<string, string>(); // key → REST API admin
	private readonly sessions = new SessionBook<Session>(() => this.idleMs());
	private readonly lockouts = new Map<string, Lockout>();
	private readonly addresses = new Map<string, Record<string, unknown>>();
	/** The `<hash>` FortiOS appends to its cookie names (per appliance). */
	private readonly cookieHash = randomBytes(4).toString('hex');

	constructor(private readonly ctx: ServiceContext) {
		this.resetObjects();
	}

	addUser(user: { username?: string; password?: string; apiCredential?: string }): void {
		if (!user.username || typeof user.username !== 'string') throw new HttpError(400, { error: 'fgt users need a username' });
		if (typeof user.password === 'string') this.admins.set(user.username, user.password);
		if (typeof user.apiCredential === 'string' && user.apiCredential) this.apiKeys.set(user.apiCredential, user.username);
		if (typeof user.password !== 'string' && !user.apiCredential) throw new HttpError(400, { error: 'fgt users need a password or an apiCredential' });
	}

	configure(patch: Partial<FortiOsSettings>): void {
		if (patch.firmware !== undefined && !FORTIOS_FIRMWARES.includes(patch.firmware)) {
			throw new HttpError(400, { error: `firmware must be ${FORTIOS_FIRMWARES.join('|')}` });
		}
		this.settings = { ...this.settings, ...patch };
	}

	reset(): void {
		this.revokeAll();
		this.lockouts.clear();
		this.settings = { ...DEFAULT_FORTIOS_SETTINGS, trustedHosts: [], twoFactorUsers: [] };
		this.resetObjects();
	}

	/** Every session times out (idle too long, or an administrator ended them). */
	expireAll(): void {
		this.sessions.expireAll();
	}

	revokeAll(): void {
		this.sessions.clear();
	}

	activeToken(userKey: string): string | undefined {
		return this.sessions.newest(userKey)?.id;
	}

	openSessions(userKey: string): number {
		return this.sessions.live(userKey).length;
	}

	async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
		const method = req.method ?? 'GET';
		const route = `${method} ${path.replace(/\/+$/, '') || '/'}`;
		if (route === 'POST /api/v2/authentication') return await this.authentication(req, res);
		if (route === 'PUT /api/v2/authentication' || route === 'DELETE /api/v2/authentication') return await this.sessionCall(req, res, method);
		if (route === 'POST /logincheck') return await this.loginCheck(req, res);
		if (route === 'GET /logout' || route === 'POST /logout') return await this.logout(req, res);
		if (path.startsWith('/api/v2/')) return await this.api(req, res, method, path);
		sendRaw(res, 404, '<html><body>Not Found</body></html>', 'text/html');
	}

	private resetObjects(): void {
		this.addresses.clear();
		this.addresses.set('all', { name: 'all', type: 'ipmask', subnet: '0.0.0.0 0.0.0.0' });
	}

	private idleMs(): number {
		const set = this.ctx.config.lifetimes.get('fgt');
		return (set ?? DEFAULT_ADMIN_TIMEOUT_SECONDS) * 1000;
	}

	private alive(s: Session): boolean {
		return this.sessions.alive(s);
	}

	private async fault(req: IncomingMessage, res: ServerResponse, endpoint: FaultEndpoint, fallback: unknown): Promise<boolean> {
		const fault = this.ctx.faults.take('fgt', endpoint);
		return fault !== undefined && (await applyFault(fault, req, res, fallback));
	}

	private source(req: IncomingMessage): string {
		return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
	}

	/** Whether the source is locked out now; an ended lockout starts over. */
	private lockedOut(req: IncomingMessage): boolean {
		const lockout = this.lockouts.get(this.source(req));
		if (!lockout || lockout.until === 0) return false;
		if (Date.now() < lockout.until) return true;
		this.lockouts.delete(this.source(req));
		return false;
	}

	private failed(req: IncomingMessage, user: string): void {
		this.ctx.stats.bump('fgt', 'failedLogins', this.admins.has(user) ? user : undefined);
		const lockout = this.lockouts.get(this.source(req)) ?? { failures: 0, until: 0 };
		lockout.failures++;
		if (lockout.failures >= this.settings.lockoutThreshold) {
			lockout.failures = 0;
			lockout.until = Date.now() + this.settings.lockoutSeconds * 1000;
		}
		this.lockouts.set(this.source(req), lockout);
	}

	/** Why a password login may not open a session, or undefined when it may. */
	private refusal(req: IncomingMessage, user: string, password: unknown, acks: { pre: boolean; post: boolean }): keyof typeof LOGIN | undefined {
		if (this.settings.preDisclaimer && !acks.pre) return 'preDisclaimer';
		if (!user || this.admins.get(user) !== password) {
			this.failed(req, user);
			return 'failed';
		}
		if (this.settings.twoFactorUsers.includes(user)) {
			// Counted as a login that opened no session (each may send a FortiToken code); no lockout.
			this.ctx.stats.bump('fgt', 'failedLogins', user);
			return 'twoFactor';
		}
		if (this.settings.postDisclaimer && !acks.post) return 'postDisclaimer';
		if (this.sessions.live().length >= this.settings.maxSessions) return 'tooMany';
		// Only a completed login clears the failures (one stopped at the token code does not).
		this.lockouts.delete(this.source(req));
		return undefined;
	}

	private open(user: string, kind: SessionKind): Session {
		const id = kind === 'logincheck' ? `"Era%3D0%26Payload%3D${opaqueToken(40)}"` : opaqueToken(30);
		const s = this.sessions.add({ id, csrf: opaqueToken(32), kind, user, lastUsed: Date.now(), expired: false });
		this.ctx.stats.bump('fgt', 'logins', user);
		return s;
	}

	/** The Set-Cookie values of a session: the session cookie and the CSRF cookie (quoted, as FortiOS sends it). */
	private setCookies(req: IncomingMessage, s: Session): string[] {
		const port = req.socket.localPort ?? 443;
		const attributes = 'path=/; HttpOnly; Secure; SameSite=Strict';
		const [session, csrf] =
			s.kind === 'logincheck'
				? [`APSCOOKIE_${port}${parseInt(this.cookieHash, 16)}=${s.id}`, `ccsrftoken_${port}_${this.cookieHash}="${s.csrf}"`]
				: [`session_key_${port}_${this.cookieHash}=${s.id}`, `ccsrf_token_${port}_${this.cookieHash}="${s.csrf}"`];
		return [`${session}; ${attributes}`, `${csrf}; path=/; Secure`];
	}

	private async authentication(req: IncomingMessage, res: ServerResponse): Promise<void> {
		if (this.settings.firmware === '6.2') return apiError(res, 404);
		const body = parseJsonObject(await readBody(req), { http_status: 400, status: 'error' });
		const fault = this.ctx.faults.take('fgt', 'token');
		// A success without a session: neither a key nor cookies.
		if (fault && (await applyFault(fault, req, res, LOGIN.success))) return;
		if (this.lockedOut(req)) {
			this.ctx.stats.bump('fgt', 'rateLimited');
			return apiError(res, 429, { error: 'Access temporarily blocked - Maximum failed authentications reached' });
		}
		const user = typeof body.username === 'string' ? body.username : '';
		const password = this.settings.firmware === '7.6.4' ? body.password : body.secretkey;
		const refused = this.refusal(req, user, password, { pre: body.ack_pre_disclaimer === true, post: body.ack_post_disclaimer === true });
		if (refused) return sendJson(res, 200, LOGIN[refused]);
		const byKey = body.request_key === true && this.settings.firmware !== '7.6.4';
		const s = this.open(user, byKey ? 'key' : 'cookie');
		const timeout = fault?.type === 'expires' ? fault.value : String(this.idleMs() / 60_000);
		if (byKey) return sendJson(res, 200, { ...LOGIN.success, session_key: s.id, session_key_timeout: timeout });
		this.sendWithCookies(req, res, s, JSON.stringify(LOGIN.success), 'application/json');
	}

	private sendWithCookies(req: IncomingMessage, res: ServerResponse, s: Session, body: string, type: string): void {
		res.setHeader('Set-Cookie', this.setCookies(req, s));
		sendRaw(res, 200, body, type);
	}

	private async loginCheck(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const form = parseForm(await readBody(req));
		if (await this.fault(req, res, 'token', LOGINCHECK.ok)) return;
		if (this.lockedOut(req)) {
			this.ctx.stats.bump('fgt', 'rateLimited');
			return sendRaw(res, 200, LOGINCHECK.lockedOut, 'text/plain');
		}
		const user = typeof form.username === 'string' ? form.username : '';
		// The legacy form has no banner acknowledgement: a banner stops it at the page (guess: as a failure).
		const refused = this.refusal(req, user, form.secretkey, { pre: true, post: true });
		if (refused === 'twoFactor') return sendRaw(res, 200, LOGINCHECK.twoFactor, 'text/plain');
		if (refused) return sendRaw(res, 200, LOGINCHECK.failed, 'text/plain');
		if (this.settings.firmware === '7.6.3' || this.settings.firmware === '7.6.4') {
			// KB227837: success, and no session cookie; every later call gets 401.
			this.ctx.stats.bump('fgt', 'logins', user);
			return sendRaw(res, 200, LOGINCHECK.ok, 'text/plain');
		}
		this.sendWithCookies(req, res, this.open(user, 'logincheck'), LOGINCHECK.ok, 'text/plain');
	}

	/** The session a request carries (key as Bearer, or a session cookie), alive or not. */
	private carried(req: IncomingMessage): { session?: Session; shown: string } {
		const { header: authorization, token } = bearerToken(req);
		if (authorization !== undefined) return { session: token ? this.sessions.get(token) : undefined, shown: authorization };
		for (const [name, value] of cookies(req)) {
			if (name.startsWith('session_key_') || name.startsWith('APSCOOKIE_')) {
				const session = this.sessions.get(value);
				if (session) return { session, shown: `Cookie ${name}` };
			}
		}
		return { shown: req.headers.cookie ? 'Cookie (no session)' : 'none' };
	}

	/** A cookie session's write without its CSRF token: what FortiOS refuses with 403. */
	private missingCsrf(req: IncomingMessage, s: Session, method: string): boolean {
		if (s.kind === 'key' || method === 'GET' || method === 'HEAD') return false;
		return unquoted(header(req, 'x-csrftoken') ?? '') !== s.csrf;
	}

	private async sessionCall(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
		await readBody(req);
		const fault = this.ctx.faults.take('fgt', method === 'PUT' ? 'refresh' : 'revoke');
		if (fault && (await applyFault(fault, req, res, { status: 'success' }))) return;
		const { session } = this.carried(req);
		if (!session || !this.alive(session)) return apiError(res, 401);
		if (this.missingCsrf(req, session, method)) return apiError(res, 403, { error: 'no valid CSRF token found' });
		if (method === 'PUT') {
			session.lastUsed = Date.now();
			this.ctx.stats.bump('fgt', 'refreshes', session.user);
		} else {
			this.sessions.delete(session.id);
			this.ctx.stats.bump('fgt', 'revokes', session.user);
		}
		// Guess: the shape of a keepalive's or logout's answer is unconfirmed.
		const timeout = fault?.type === 'expires' ? fault.value : String(this.idleMs() / 60_000);
		sendJson(res, 200, { status: 'success', http_status: 200, session_key_timeout: timeout });
	}

	private async logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
		await readBody(req);
		if (await this.fault(req, res, 'revoke', '')) return;
		const { session } = this.carried(req);
		if (session && this.alive(session)) {
			this.sessions.delete(session.id);
			this.ctx.stats.bump('fgt', 'revokes', session.user);
		}
		// The login page, whatever was logged out (as a browser gets it).
		sendRaw(res, 200, '<html><body>Logged out</body></html>', 'text/html');
	}

	/** Who a REST call acts as, or the refusal already sent. */
	private caller(req: IncomingMessage, res: ServerResponse, method: string, url: URL): string | undefined {
		const reject = (status: number, extra: Record<string, unknown> = {}, user?: string): undefined => {
			this.ctx.stats.bump('fgt', 'apiRejected', user);
			apiError(res, status, extra);
			return undefined;
		};
		const inQuery = url.searchParams.get('access_token');
		if (inQuery !== null) {
			this.ctx.stats.authorization('fgt', 'query access_token', this.apiKeys.get(inQuery));
			// From 7.4.5 (rest-api-key-url-query disable): 401, "REST API key in URL parameters is disabled".
			if (!this.settings.keyInQuery) return reject(401);
			return this.apiKeys.get(inQuery) ?? reject(401);
		}
		const { token } = bearerToken(req);
		const keyUser = token ? this.apiKeys.get(token) : undefined;
		const { session, shown } = this.carried(req);
		this.ctx.stats.authorization('fgt', shown, keyUser ?? session?.user);
		if (keyUser) {
			const trusted = this.settings.trustedHosts;
			// Guess: a key from outside the trusted hosts gets the same 401 as a wrong key.
			return trusted.length === 0 || trusted.includes(this.source(req)) ? keyUser : reject(401, {}, keyUser);
		}
		if (!session || !this.alive(session)) return reject(401, {}, session?.user);
		if (this.missingCsrf(req, session, method)) return reject(403, { error: 'Request is missing CSRF token' }, session.user);
		session.lastUsed = Date.now();
		return session.user;
	}

	private async api(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
		const text = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
		const url = new URL(req.url ?? '/', 'https://fortigate');
		if (await this.fault(req, res, 'resource', { status: 'success' })) return;
		const user = this.caller(req, res, method, url);
		if (user === undefined) return;
		const vdom = url.searchParams.get('vdom') ?? 'root';
		// Guess: an unknown VDOM is answered like a missing object.
		if (vdom !== 'root' && vdom !== 'customer-a') return apiError(res, 404, { vdom });
		this.ctx.stats.bump('fgt', 'apiAccepted', user);
		const answer = (results: unknown, status = 200): void =>
			sendJson(res, status, { http_method: method, status: status < 300 ? 'success' : 'error', http_status: status, vdom, serial: 'FGVM00000000001', version: this.version(), build: 2571, results });
		if (method === 'GET' && path === '/api/v2/monitor/system/status') return answer({ hostname: 'demo-fgt', model: 'FGVM64', admin: user });
		if (method === 'GET' && path === '/api/v2/monitor/system/current-admins') return answer(this.currentAdmins());
		if (path.startsWith('/api/v2/cmdb/firewall/address')) return this.address(method, path, text, answer);
		answer([], 404);
	}

	private version(): string {
		return { '6.2': 'v6.2.16', '6.4': 'v6.4.15', '7.4': 'v7.4.5', '7.6.3': 'v7.6.3', '7.6.4': 'v7.6.4' }[this.settings.firmware];
	}

	private currentAdmins(): unknown[] {
		return this.sessions
			.live()
			.map((s, index) => ({ index, admin: s.user, method: s.kind === 'key' ? 'https (api)' : 'https', login: Math.floor(s.lastUsed / 1000) }));
	}

	private address(method: string, path: string, text: string, answer: (results: unknown, status?: number) => void): void {
		const name = decodeURIComponent(path.slice('/api/v2/cmdb/firewall/address'.length).replace(/^\//, ''));
		if (method === 'GET') {
			if (!name) return answer([...this.addresses.values()]);
			const found = this.addresses.get(name);
			return found ? answer([found]) : answer([], 404);
		}
		if (method === 'DELETE') return this.addresses.delete(name) ? answer({}) : answer([], 404);
		const body = parseJsonObject(text || '{}', { http_status: 400, status: 'error' });
		const key = name || (typeof body.name === 'string' ? body.name : '');
		if (!key) return answer({ error: 'name is required' }, 400);
		// POST creates (424 when it exists, as FortiOS answers a duplicate entry), PUT edits.
		if (method === 'POST' && this.addresses.has(key)) return answer({ error: -5 }, 424);
		if (method === 'PUT' && !this.addresses.has(key)) return answer([], 404);
		this.addresses.set(key, { ...this.addresses.get(key), ...body, name: key });
		answer({ mkey: key });
	}
}
