/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	applyFault,
	cookies,
	header,
	HttpError,
	opaqueToken,
	parseJsonObject,
	readBody,
	sendJson,
	SessionBook,
	type ApplianceSession,
	type ServiceContext,
	type ServiceImpl,
} from './shared';
import type { EmulatedService, FaultEndpoint } from './types';

/** The emulated appliances with a login session in headers (FortiGate has its own, fgt.ts). */
export type ApplianceName = 'ems' | 'emsCloud' | 'fml' | 'adc';

/** What an administrator of the emulated appliance can change (tests lower the cap, add a banner). */
export interface ApplianceSettings {
	/** Sessions open at once (FortiMail's max-active-session-restful); a login beyond it is refused. */
	maxSessions: number;
	/** A post-login banner the login must accept (FortiMail: the login again with reqAction 7). */
	banner: boolean;
	/** Failed logins from one address before a lockout, and its length (0: no lockout). */
	lockoutThreshold: number;
	lockoutSeconds: number;
}

interface Session extends ApplianceSession {
	/** The token of the login answer (FortiADC, EMS Cloud); the session cookie's value is `id`. */
	token?: string;
	csrf: string;
}

/** One appliance's wire protocol: what its login, its session, its refusals and its reads look like. */
interface Profile {
	loginPaths: string[];
	/** The login body's members for the user and the secret. */
	fields: { user: string; secret: string };
	/** The session cookie's name; undefined for a session that is only a token (EMS Cloud). */
	cookie?: string;
	/** Django's CSRF: the cookie, the header writes must repeat it in, and the Referer they need. */
	csrf?: { cookie: string; header: string; referer: boolean };
	/** The login answer's member holding the token, and how calls carry it. */
	token?: { member: string; scheme: 'Bearer' | '' };
	/** The header a REST API key travels in. */
	apiKeyHeader?: string;
	/** The read the package uses to check a session and keep it alive: counted as a token check. */
	checkPath: string;
	logout: { method: string; path: string };
	/** The answers to a gone session and to a wrong password; the success of a login (given the session). */
	dead: { status: number; body: unknown };
	wrongPassword: { status: number; body: unknown };
	success(s: Session): Record<string, unknown>;
	/** The answer to a login beyond the cap. */
	full: { status: number; body: unknown };
	defaults: ApplianceSettings;
	/** What an authenticated GET of `path` answers, or undefined for a 404. */
	read(path: string, user: string): unknown;
	/** The path of the one write the emulator accepts (a POST), to prove CSRF, and its answer. */
	writePath: string;
	created: unknown;
	defaultIdleSeconds: number;
}

const NO_LOCKOUT = { lockoutThreshold: 0, lockoutSeconds: 0, banner: false };

/** EMS answers every call as `{"result": {"retval", "message"}, "data"}` (retval 1: success). */
const ems = (retval: number, message: string, data?: unknown): Record<string, unknown> => ({ result: { retval, message }, ...(data !== undefined ? { data } : {}) });

const ENDPOINTS = [{ id: 1, name: 'demo-laptop-01', is_managed: true }];

/**
 * Sources: docs/HOW-IT-WORKS.md "Appliance sessions". Guesses, marked: the caps' defaults, the
 * answers to a wrong password and a full session table, the check and write paths' data.
 */
const PROFILES: Record<ApplianceName, Profile> = {
	ems: {
		loginPaths: ['/api/v1/auth/signin'],
		fields: { user: 'name', secret: 'password' },
		cookie: 'sessionid',
		csrf: { cookie: 'csrftoken', header: 'x-csrftoken', referer: true },
		checkPath: '/api/v1/system/serial_number',
		logout: { method: 'GET', path: '/api/v1/auth/signout' },
		dead: { status: 401, body: ems(-4, 'Session has expired or does not exist.') },
		// Guess: a wrong password is a 401 with a negative retval, like a dead session.
		wrongPassword: { status: 401, body: ems(-1, 'Invalid username or password.') },
		success: () => ems(1, 'Login successful.'),
		full: { status: 401, body: ems(-7, 'Maximum number of sessions reached.') },
		defaults: { maxSessions: 100, ...NO_LOCKOUT },
		read: (path) => (path === '/api/v1/system/serial_number' ? ems(1, 'OK', 'FCTEMS0000000001') : path === '/api/v1/endpoints/index' ? ems(1, 'OK', { endpoints: ENDPOINTS }) : undefined),
		writePath: '/api/v1/endpoints/tag',
		created: ems(1, 'Created.'),
		defaultIdleSeconds: 1800,
	},
	emsCloud: {
		loginPaths: ['/api/public/v1/ems_api_cloud/login/'],
		fields: { user: 'account_email', secret: 'access_key' },
		token: { member: 'session_id', scheme: '' },
		checkPath: '/api/public/v1/ems_api_cloud/status/',
		logout: { method: 'POST', path: '/api/public/v1/ems_api_cloud/logout/' },
		dead: { status: 401, body: ems(-4, 'Session has expired or does not exist.') },
		wrongPassword: { status: 401, body: ems(-1, 'Invalid access key.') },
		success: (s) => ({ ...ems(1, 'OK'), session_id: s.token }),
		full: { status: 429, body: ems(-7, 'Too many sessions.') },
		defaults: { maxSessions: 100, ...NO_LOCKOUT },
		read: (path) => (path === '/api/public/v1/ems_api_cloud/status/' ? ems(1, 'OK', { status: 'running' }) : path === '/api/public/v1/endpoints/' ? ems(1, 'OK', ENDPOINTS) : undefined),
		writePath: '/api/public/v1/endpoints/tag/',
		created: ems(1, 'Created.'),
		defaultIdleSeconds: 1800,
	},
	fml: {
		loginPaths: ['/api/v1/AdminLogin/', '/api/v1/VoiceadminLogin/'],
		fields: { user: 'name', secret: 'password' },
		cookie: 'APSCOOKIE_8443',
		checkPath: '/api/v1/SysStatusCommon/',
		logout: { method: 'DELETE', path: '/api/v1/AdminLogin/' },
		// A gone session: 403 (research notes: FortiMail answers it so, not 401).
		dead: { status: 403, body: { errorType: 3, errorMsg: 'Session expired' } },
		// FortiRecorder's failure: 403 with errorType 7 (guess: the same on FortiMail and FortiVoice).
		wrongPassword: { status: 403, body: { errorType: 7, errorMsg: 'Login failed' } },
		success: () => ({ name: 'admin', access: 'rw' }),
		full: { status: 403, body: { errorType: 9, errorMsg: 'Exceeded maximum number of REST API sessions' } },
		// Guesses: max-active-session-restful, and the lockout FortiMail's admins get.
		defaults: { maxSessions: 100, banner: false, lockoutThreshold: 3, lockoutSeconds: 300 },
		read: (path) =>
			path === '/api/v1/SysStatusCommon/' ? { hostname: 'demo-fml', version: 'v7.4.2' } : path === '/api/v1/Domain/' ? { collection: [{ mkey: 'example.com' }] } : undefined,
		writePath: '/api/v1/Domain/',
		created: { mkey: 'example.org' },
		defaultIdleSeconds: 300,
	},
	adc: {
		loginPaths: ['/api/user/login'],
		fields: { user: 'username', secret: 'password' },
		cookie: 'ADC_SESSION',
		token: { member: 'token', scheme: 'Bearer' },
		apiKeyHeader: 'APITOKEN',
		checkPath: '/api/system_global',
		logout: { method: 'GET', path: '/api/user/logout' },
		dead: { status: 401, body: { payload: -214, message: 'Invalid token' } },
		wrongPassword: { status: 401, body: { payload: -1, message: 'Authentication failed' } },
		success: (s) => ({ token: s.token, payload: 0 }),
		full: { status: 401, body: { payload: -15, message: 'Too many login sessions' } },
		defaults: { maxSessions: 30, ...NO_LOCKOUT },
		read: (path) =>
			path === '/api/system_global' ? { payload: { hostname: 'demo-adc' } } : path === '/api/load_balance_virtual_server' ? { payload: [{ mkey: 'vs-web', status: 'enable' }] } : undefined,
		writePath: '/api/load_balance_virtual_server',
		created: { payload: 0 },
		defaultIdleSeconds: 1800,
	},
};

/**
 * A FortiClient EMS (on premises or Cloud), FortiMail (with FortiRecorder's and FortiVoice's
 * logins) or FortiADC as an automation meets its REST API: the login, the session in cookies
 * and/or a token, Django's CSRF check on EMS writes, idle expiry after `lifetime(<name>)` seconds,
 * the session cap, FortiMail's banner step and lockout, FortiADC's API keys, and the logout.
 */
export class ApplianceService implements ServiceImpl {
	settings: ApplianceSettings;
	private readonly profile: Profile;
	private readonly users = new Map<string, string>();
	private readonly apiKeys = new Map<string, string>();
	private readonly sessions = new SessionBook<Session>(() => this.idleMs());
	private readonly failures = new Map<string, { count: number; until: number }>();
	/** Token → session id, for the sessions whose calls carry a token. */
	private readonly tokens = new Map<string, string>();

	constructor(
		private readonly ctx: ServiceContext,
		readonly name: ApplianceName,
	) {
		this.profile = PROFILES[name];
		this.settings = { ...this.profile.defaults };
	}

	private get service(): EmulatedService {
		return this.ctx.service;
	}

	addUser(user: { username?: string; password?: string; apiCredential?: string }): void {
		if (!user.username || typeof user.username !== 'string') throw new HttpError(400, { error: `${this.name} users need a username` });
		// EMS Cloud's secret is the access key.
		const secret = this.name === 'emsCloud' ? user.apiCredential : user.password;
		if (typeof secret !== 'string') throw new HttpError(400, { error: `${this.name} users need a ${this.name === 'emsCloud' ? 'apiCredential' : 'password'}` });
		this.users.set(user.username, secret);
		if (this.profile.apiKeyHeader && user.apiCredential) this.apiKeys.set(user.apiCredential, user.username);
	}

	configure(patch: Partial<ApplianceSettings>): void {
		this.settings = { ...this.settings, ...patch };
	}

	reset(): void {
		this.revokeAll();
		this.failures.clear();
		this.settings = { ...this.profile.defaults };
	}

	expireAll(): void {
		this.sessions.expireAll();
	}

	revokeAll(): void {
		this.sessions.clear();
		this.tokens.clear();
	}

	activeToken(userKey: string): string | undefined {
		const s = this.sessions.newest(userKey);
		return s?.token ?? s?.id;
	}

	openSessions(userKey: string): number {
		return this.sessions.live(userKey).length;
	}

	async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
		const method = req.method ?? 'GET';
		const text = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
		if (method === 'POST' && this.profile.loginPaths.includes(path)) return await this.login(req, res, text);
		if (method === this.profile.logout.method && path === this.profile.logout.path) return await this.logout(req, res);
		return await this.api(req, res, method, path);
	}

	private idleMs(): number {
		return (this.ctx.config.lifetimes.get(this.service) ?? this.profile.defaultIdleSeconds) * 1000;
	}

	private async fault(req: IncomingMessage, res: ServerResponse, endpoint: FaultEndpoint, fallback: unknown): Promise<boolean> {
		const fault = this.ctx.faults.take(this.service, endpoint);
		return fault !== undefined && (await applyFault(fault, req, res, fallback));
	}

	private source(req: IncomingMessage): string {
		return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
	}

	private lockedOut(req: IncomingMessage): boolean {
		const entry = this.failures.get(this.source(req));
		return entry !== undefined && Date.now() < entry.until;
	}

	private failed(req: IncomingMessage, user: string): void {
		this.ctx.stats.bump(this.service, 'failedLogins', this.users.has(user) ? user : undefined);
		if (this.settings.lockoutThreshold <= 0) return;
		const entry = this.failures.get(this.source(req)) ?? { count: 0, until: 0 };
		entry.count++;
		if (entry.count >= this.settings.lockoutThreshold) entry.until = Date.now() + this.settings.lockoutSeconds * 1000;
		this.failures.set(this.source(req), entry);
	}

	private async login(req: IncomingMessage, res: ServerResponse, text: string): Promise<void> {
		const body = parseJsonObject(text, { error: 'invalid JSON body' });
		const { profile } = this;
		if (await this.fault(req, res, 'token', profile.success({ id: '', csrf: '', user: '', lastUsed: 0, expired: false }))) return;
		if (this.lockedOut(req)) {
			this.ctx.stats.bump(this.service, 'rateLimited');
			return sendJson(res, 403, { errorType: 5, errorMsg: 'Too many failed logins; the address is locked out' });
		}
		const user = typeof body[profile.fields.user] === 'string' ? String(body[profile.fields.user]) : '';
		if (!user || this.users.get(user) !== body[profile.fields.secret]) {
			this.failed(req, user);
			return sendJson(res, profile.wrongPassword.status, profile.wrongPassword.body);
		}
		this.failures.delete(this.source(req));
		// Guess at its shape: the banner's answer names it; the login again with reqAction 7 accepts it.
		if (this.settings.banner && body.reqAction !== 7) return sendJson(res, 200, { post_login_banner: 'Authorized use only.' });
		if (this.sessions.live().length >= this.settings.maxSessions) return sendJson(res, profile.full.status, profile.full.body);
		const s = this.sessions.add({ id: opaqueToken(32), token: profile.token ? opaqueToken(40) : undefined, csrf: opaqueToken(32), user, lastUsed: Date.now(), expired: false });
		if (s.token) this.tokens.set(s.token, s.id);
		this.ctx.stats.bump(this.service, 'logins', user);
		const attributes = 'Path=/; HttpOnly; Secure; SameSite=Lax';
		const set = [
			...(profile.cookie ? [`${profile.cookie}=${s.id}; ${attributes}`] : []),
			...(profile.csrf ? [`${profile.csrf.cookie}=${s.csrf}; Path=/; Secure; SameSite=Lax`] : []),
		];
		if (set.length > 0) res.setHeader('Set-Cookie', set);
		sendJson(res, 200, profile.success(s));
	}

	/** The session a request carries: its cookie and (where there is one) its token must both be right. */
	private carried(req: IncomingMessage): { session?: Session; shown: string } {
		const { profile } = this;
		const authorization = header(req, 'authorization');
		const cookie = header(req, 'cookie');
		const shown = [authorization, cookie !== undefined ? `Cookie ${cookie}` : undefined].filter(Boolean).join(' | ') || 'none';
		const byCookie = profile.cookie ? this.sessions.get(cookies(req).get(profile.cookie) ?? '') : undefined;
		if (!profile.token) return { session: byCookie, shown };
		const prefix = profile.token.scheme ? `${profile.token.scheme} ` : '';
		const token = authorization?.startsWith(prefix) ? authorization.slice(prefix.length) : undefined;
		const byToken = token ? this.sessions.get(this.tokens.get(token) ?? '') : undefined;
		if (!byToken || (profile.cookie && byCookie !== byToken)) return { shown };
		return { session: byToken, shown };
	}

	/** Django's CSRF check, on writes: the token header equal to the cookie, and a Referer of this origin. */
	private csrfRefused(req: IncomingMessage, s: Session, method: string): boolean {
		const csrf = this.profile.csrf;
		if (!csrf || method === 'GET' || method === 'HEAD') return false;
		const host = header(req, 'host') ?? '';
		const referer = header(req, 'referer') ?? '';
		return header(req, csrf.header) !== s.csrf || (csrf.referer && !referer.startsWith(`https://${host}/`));
	}

	private async logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
		if (await this.fault(req, res, 'revoke', {})) return;
		const { session } = this.carried(req);
		if (!session || !this.sessions.alive(session)) return sendJson(res, this.profile.dead.status, this.profile.dead.body);
		this.sessions.delete(session.id);
		this.ctx.stats.bump(this.service, 'revokes', session.user);
		sendJson(res, 200, this.name === 'ems' || this.name === 'emsCloud' ? ems(1, 'Logged out.') : {});
	}

	/** A REST API key (FortiADC): who it acts as, or undefined when the request carries none. */
	private keyUser(req: IncomingMessage): string | undefined | null {
		const name = this.profile.apiKeyHeader;
		const key = name ? header(req, name.toLowerCase()) : undefined;
		if (key === undefined) return undefined;
		this.ctx.stats.authorization(this.service, `${name} ${key}`, this.apiKeys.get(key));
		return this.apiKeys.get(key) ?? null;
	}

	private async api(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
		const { profile } = this;
		const check = method === 'GET' && path === profile.checkPath;
		if (await this.fault(req, res, check ? 'check' : 'resource', {})) return;
		const keyUser = this.keyUser(req);
		if (keyUser === null) {
			this.ctx.stats.bump(this.service, 'apiRejected');
			return sendJson(res, profile.dead.status, profile.dead.body);
		}
		const { session, shown } = keyUser ? { session: undefined, shown: '' } : this.carried(req);
		const user = keyUser ?? (session && this.sessions.alive(session) ? session.user : undefined);
		// The package's check, also its keepalive (the read restarts the idle time): a token check.
		if (check) this.ctx.stats.bump(this.service, 'tokenChecks', session?.user ?? keyUser);
		// Like the other emulators: a request that carries nothing is not recorded.
		if (!keyUser && !check && shown !== 'none') this.ctx.stats.authorization(this.service, shown, session?.user);
		if (user === undefined) {
			if (!check) this.ctx.stats.bump(this.service, 'apiRejected', session?.user);
			return sendJson(res, profile.dead.status, profile.dead.body);
		}
		if (session && this.csrfRefused(req, session, method)) {
			this.ctx.stats.bump(this.service, 'apiRejected', user);
			return sendJson(res, 403, { detail: 'CSRF Failed: CSRF token missing or incorrect.' });
		}
		if (session) session.lastUsed = Date.now();
		if (!check) this.ctx.stats.bump(this.service, 'apiAccepted', user);
		if (method === 'POST' && path === profile.writePath) return sendJson(res, 200, profile.created);
		const data = method === 'GET' ? profile.read(path, user) : undefined;
		if (data === undefined) return sendJson(res, 404, { error: 'Not Found', path });
		sendJson(res, 200, data);
	}
}
