/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test and tool code runs in Node, not inside n8n: Node globals, Node's modules, plain errors are its to use */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
	Counters,
	EmulatedService,
	EmulatorStats,
	Fault,
	FaultEndpoint,
	FaultSpec,
	RateLimit,
	ServiceStats,
} from './types';
import { sleep } from '../support/time';
import { FAULT_ENDPOINTS, SERVICES } from './types';

// ---------------------------------------------------------------- HTTP helpers

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
		readonly headers: Record<string, string> = {},
	) {
		super(`HTTP ${status}`);
	}
}

const MAX_BODY = 1_000_000;

export function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let done = false;
		req.on('data', (chunk: Buffer) => {
			if (done) return;
			size += chunk.length;
			if (size > limit) {
				done = true;
				reject(new HttpError(413, { error: 'request_too_large' }));
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => {
			if (done) return;
			done = true;
			resolve(Buffer.concat(chunks).toString('utf8'));
		});
		req.on('error', (err) => {
			if (done) return;
			done = true;
			reject(err);
		});
	});
}

export type BodyKind = 'json' | 'form';

export function contentKind(req: IncomingMessage): BodyKind | 'none' | 'other' {
	const ct = String(req.headers['content-type'] ?? '').toLowerCase();
	if (!ct) return 'none';
	if (ct.includes('application/x-www-form-urlencoded')) return 'form';
	if (ct.includes('json')) return 'json';
	return 'other';
}

export function parseJsonObject(text: string, badRequestBody: unknown): Record<string, unknown> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new HttpError(400, badRequestBody);
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new HttpError(400, badRequestBody);
	}
	return parsed as Record<string, unknown>;
}

export function parseForm(text: string): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [k, v] of new URLSearchParams(text)) out[k] = v;
	return out;
}

/** A string field, or undefined when absent, empty or not a string. */
export function str(body: Record<string, unknown>, key: string): string | undefined {
	const v = body[key];
	return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Text a `trailer` fault appends to the one answer it was taken for. */
const trailers = new WeakMap<ServerResponse, string>();

export function sendRaw(
	res: ServerResponse,
	status: number,
	body: string,
	contentType: string,
	headers: Record<string, string> = {},
): void {
	if (res.headersSent || res.destroyed) return;
	const text = body + (trailers.get(res) ?? '');
	res.writeHead(status, {
		'Content-Type': contentType,
		'Content-Length': String(Buffer.byteLength(text)),
		'Cache-Control': 'no-store',
		...headers,
	});
	res.end(text);
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	sendRaw(res, status, JSON.stringify(body), 'application/json', headers);
}

export function bearerToken(req: IncomingMessage): { header?: string; token?: string } {
	const raw = req.headers.authorization;
	const header = Array.isArray(raw) ? raw[0] : raw;
	if (header === undefined) return {};
	const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
	return { header, token: m ? m[1] : undefined };
}

/** The cookies a request carries, by name. */
export function cookies(req: IncomingMessage): Map<string, string> {
	const out = new Map<string, string>();
	for (const part of String(req.headers.cookie ?? '').split(';')) {
		const eq = part.indexOf('=');
		if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
	}
	return out;
}

/** A request header's first value. */
export function header(req: IncomingMessage, name: string): string | undefined {
	const raw = req.headers[name];
	return Array.isArray(raw) ? raw[0] : raw;
}

// ---------------------------------------------------------------- tokens

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Opaque token like customerapiauth / FortiAuthenticator issue (30 letters and digits). */
export function opaqueToken(length = 30): string {
	const bytes = randomBytes(length * 2);
	let out = '';
	for (let i = 0; i < bytes.length && out.length < length; i++) {
		const b = bytes[i];
		if (b < 248) out += ALNUM[b % 62];
	}
	while (out.length < length) out += ALNUM[randomBytes(1)[0] % 62];
	return out;
}

export function base64url(input: Buffer | string): string {
	return Buffer.from(input).toString('base64url');
}

/** Bounded token → owner map, for attributing rejected calls to the user whose token it was. */
export class OwnerLedger {
	private readonly map = new Map<string, string>();
	constructor(private readonly cap = 20_000) {}
	set(token: string, owner: string): void {
		this.map.delete(token);
		this.map.set(token, owner);
		while (this.map.size > this.cap) {
			const first = this.map.keys().next();
			if (first.done) break;
			this.map.delete(first.value);
		}
	}
	get(token: string): string | undefined {
		return this.map.get(token);
	}
	clear(): void {
		this.map.clear();
	}
}

// ---------------------------------------------------------------- stats

type NumericCounter = Exclude<keyof Counters, 'authorizations'>;
const MAX_AUTHORIZATIONS = 10_000;
const MAX_USERS = 10_000;

export function emptyCounters(): Counters {
	return {
		logins: 0,
		refreshes: 0,
		revokes: 0,
		failedLogins: 0,
		failedRefreshes: 0,
		rateLimited: 0,
		apiAccepted: 0,
		apiRejected: 0,
		tokenChecks: 0,
		authorizations: [],
	};
}

function emptyServiceStats(): ServiceStats {
	return { ...emptyCounters(), users: {} };
}

export class StatsBook {
	private data: EmulatorStats = StatsBook.empty();

	static empty(): EmulatorStats {
		return Object.fromEntries(SERVICES.map((service) => [service, emptyServiceStats()])) as EmulatorStats;
	}

	private user(service: EmulatedService, userKey: string): Counters | undefined {
		const users = this.data[service].users;
		let c = users[userKey];
		if (!c) {
			if (Object.keys(users).length >= MAX_USERS) return undefined;
			c = emptyCounters();
			users[userKey] = c;
		}
		return c;
	}

	bump(service: EmulatedService, field: NumericCounter, userKey?: string): void {
		this.data[service][field]++;
		if (userKey !== undefined) {
			const u = this.user(service, userKey);
			if (u) u[field]++;
		}
	}

	authorization(service: EmulatedService, value: string, userKey?: string): void {
		push(this.data[service].authorizations, value);
		if (userKey !== undefined) {
			const u = this.user(service, userKey);
			if (u) push(u.authorizations, value);
		}
	}

	snapshot(): EmulatorStats {
		return JSON.parse(JSON.stringify(this.data)) as EmulatorStats;
	}

	reset(): void {
		this.data = StatsBook.empty();
	}
}

function push(list: string[], value: string): void {
	list.push(value);
	if (list.length > MAX_AUTHORIZATIONS) list.splice(0, list.length - MAX_AUTHORIZATIONS);
}

// ---------------------------------------------------------------- faults

interface PendingFault {
	service: EmulatedService;
	endpoint: FaultEndpoint;
	remaining: number;
	fault: Fault;
}

export function validateFaultSpec(input: unknown): FaultSpec {
	const bad = (why: string): never => {
		throw new HttpError(400, { error: 'invalid_fault', error_description: why });
	};
	if (!input || typeof input !== 'object') return bad('fault spec must be an object');
	const s = input as Record<string, unknown>;
	if (!SERVICES.includes(s.service as EmulatedService)) return bad(`service must be ${SERVICES.join('|')}`);
	if (!FAULT_ENDPOINTS.includes(s.endpoint as FaultEndpoint)) {
		return bad('endpoint must be token|refresh|revoke|resource|check');
	}
	const count = s.count === undefined ? 1 : s.count;
	if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) return bad('count must be a positive integer');
	const f = s.fault as Record<string, unknown> | undefined;
	if (!f || typeof f !== 'object') return bad('fault must be an object');
	const num = (v: unknown, name: string, min: number): number =>
		typeof v === 'number' && Number.isFinite(v) && v >= min ? v : bad(`${name} must be a number >= ${min}`);
	let fault: Fault;
	switch (f.type) {
		case 'status': {
			const status = num(f.status, 'status', 100);
			if (!Number.isInteger(status) || status > 599) return bad('status must be an HTTP status code');
			if (f.body !== undefined && typeof f.body !== 'string') return bad('body must be a string');
			if (f.contentType !== undefined && typeof f.contentType !== 'string') return bad('contentType must be a string');
			fault = { type: 'status', status, body: f.body as string | undefined, contentType: f.contentType as string | undefined };
			break;
		}
		case 'rateLimit':
			fault = { type: 'rateLimit', retryAfter: num(f.retryAfter, 'retryAfter', 0) };
			break;
		case 'delay':
			fault = { type: 'delay', ms: Math.min(num(f.ms, 'ms', 0), 600_000) };
			break;
		case 'html': {
			const status = f.status === undefined ? 502 : num(f.status, 'status', 100);
			fault = { type: 'html', status };
			break;
		}
		case 'malformedJson':
		case 'noToken':
		case 'reset':
			fault = { type: f.type };
			break;
		case 'expires':
			fault = { type: 'expires', value: f.value };
			break;
		case 'redirect': {
			if (typeof f.location !== 'string' || !f.location) return bad('location must be a string');
			const status = f.status === undefined ? 307 : num(f.status, 'status', 300);
			if (status > 399) return bad('status must be a 3xx');
			fault = { type: 'redirect', status, location: f.location };
			break;
		}
		case 'trickle':
			fault = { type: 'trickle', intervalMs: num(f.intervalMs, 'intervalMs', 1), bytes: f.bytes === undefined ? undefined : num(f.bytes, 'bytes', 1) };
			break;
		case 'hugeToken':
			fault = { type: 'hugeToken', length: Math.min(num(f.length, 'length', 1), 50_000_000) };
			break;
		case 'hugeBody':
			fault = { type: 'hugeBody', bytes: Math.min(num(f.bytes, 'bytes', 1), 200_000_000) };
			break;
		case 'trailer':
			if (typeof f.text !== 'string' || !f.text || f.text.length > 10_000) return bad('text must be a string of 1 to 10000 characters');
			fault = { type: 'trailer', text: f.text };
			break;
		default:
			return bad('fault.type must be status|rateLimit|delay|html|malformedJson|noToken|reset|expires|redirect|trickle|hugeToken|hugeBody|trailer');
	}
	return { service: s.service as EmulatedService, endpoint: s.endpoint as FaultEndpoint, count, fault };
}

export class FaultBook {
	private pending: PendingFault[] = [];

	add(spec: FaultSpec): void {
		const v = validateFaultSpec(spec);
		this.pending.push({ service: v.service, endpoint: v.endpoint, remaining: v.count, fault: v.fault });
	}

	/** The next fault for this call, consuming one use of it. */
	take(service: EmulatedService, endpoint: FaultEndpoint): Fault | undefined {
		const i = this.pending.findIndex((p) => p.service === service && p.endpoint === endpoint);
		if (i < 0) return undefined;
		const p = this.pending[i];
		p.remaining--;
		if (p.remaining <= 0) this.pending.splice(i, 1);
		return p.fault;
	}

	clear(): void {
		this.pending = [];
	}
}

const HTML_PAGE = (status: number): string =>
	`<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

/**
 * Answers a faulted call. Returns true when the fault answered (or killed) the call,
 * false when the call must go on normally ('delay' after waiting, 'expires', 'trailer').
 */
export async function applyFault(
	fault: Fault,
	req: IncomingMessage,
	res: ServerResponse,
	noTokenBody: unknown,
): Promise<boolean> {
	switch (fault.type) {
		case 'delay':
			await sleep(fault.ms, { unref: true });
			return false;
		case 'expires':
			return false;
		case 'trailer':
			trailers.set(res, fault.text);
			return false;
		case 'status':
			sendRaw(
				res,
				fault.status,
				fault.body ?? JSON.stringify({ error: 'emulated_fault', status: fault.status }),
				fault.contentType ?? 'application/json',
			);
			return true;
		case 'rateLimit':
			sendJson(
				res,
				429,
				{ error: 'rate_limited', error_description: 'Too many requests' },
				{ 'Retry-After': String(Math.ceil(fault.retryAfter)) },
			);
			return true;
		case 'html':
			sendRaw(res, fault.status ?? 502, HTML_PAGE(fault.status ?? 502), 'text/html');
			return true;
		case 'malformedJson':
			sendRaw(res, 200, '{"access_token": "trunc', 'application/json');
			return true;
		case 'noToken':
			sendJson(res, 200, noTokenBody);
			return true;
		case 'reset':
			req.socket.destroy();
			res.destroy();
			return true;
		case 'redirect':
			sendRaw(res, fault.status ?? 307, '', 'text/plain', { Location: fault.location });
			return true;
		case 'hugeToken':
			sendJson(res, 200, { ...(noTokenBody as Record<string, unknown>), access_token: 'A'.repeat(fault.length), refresh_token: opaqueToken() });
			return true;
		case 'hugeBody': {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			const chunk = Buffer.alloc(64 * 1024, 0x20);
			let left = fault.bytes;
			const pump = (): void => {
				while (left > 0 && !res.destroyed) {
					const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
					left -= piece.length;
					if (!res.write(piece)) {
						res.once('drain', pump);
						return;
					}
				}
				if (!res.destroyed) res.end();
			};
			pump();
			return true;
		}
		case 'trickle': {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.write('{');
			let sent = 1;
			const timer = setInterval(() => {
				if (res.destroyed || (fault.bytes !== undefined && sent >= fault.bytes)) {
					clearInterval(timer);
					if (!res.destroyed) res.end();
					return;
				}
				res.write(' ');
				sent++;
			}, fault.intervalMs);
			timer.unref();
			res.on('close', () => clearInterval(timer));
			return true;
		}
	}
}

// ---------------------------------------------------------------- config & rate limits

export const IAM_CLIENT_IDS: readonly string[] = [
	'FortiSASE',
	'fortilancloud',
	'fortiedgecloud',
	'flexvm',
	'FortiManager',
	'FortiAnalyzer',
	'fortigatecloud',
	'assetmanagement',
	'fortiztp',
	'iam',
	'organization',
];

const DEFAULT_LIFETIMES: Record<string, number> = {
	FortiSASE: 3600,
	fortilancloud: 14400,
	fortiedgecloud: 14400,
	casb: 3600,
	cwp: 3600,
};

const DEFAULT_RATE_LIMITS: Record<string, RateLimit> = {
	fortilancloud: { max: 6, windowMs: 60_000 },
	fortiedgecloud: { max: 6, windowMs: 60_000 },
};

export class EmulatorConfig {
	readonly lifetimes = new Map<string, number>();
	readonly rateLimits = new Map<string, RateLimit | null>();
	rotateRefreshTokens = true;

	/** Seconds an access token lives for this key (IAM client_id, 'casb' or 'cwp'). */
	lifetime(key: string): number {
		return this.lifetimes.get(key) ?? DEFAULT_LIFETIMES[key] ?? 3600;
	}

	setLifetime(key: string, seconds: number): void {
		if (typeof key !== 'string' || !key) throw new HttpError(400, { error: 'lifetime key must be a string' });
		if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
			throw new HttpError(400, { error: 'lifetime must be a positive number of seconds' });
		}
		this.lifetimes.set(key, seconds);
	}

	rateLimit(clientId: string): RateLimit | null {
		if (this.rateLimits.has(clientId)) return this.rateLimits.get(clientId) ?? null;
		return DEFAULT_RATE_LIMITS[clientId] ?? null;
	}

	setRateLimit(clientId: string, limit: RateLimit | null): void {
		if (typeof clientId !== 'string' || !clientId) throw new HttpError(400, { error: 'client id must be a string' });
		if (limit !== null) {
			if (
				typeof limit !== 'object' ||
				typeof limit.max !== 'number' ||
				typeof limit.windowMs !== 'number' ||
				!(limit.max >= 0) ||
				!(limit.windowMs > 0)
			) {
				throw new HttpError(400, { error: 'rate limit must be {max, windowMs} or null' });
			}
			limit = { max: limit.max, windowMs: limit.windowMs };
		}
		this.rateLimits.set(clientId, limit);
	}
}

/** Sliding-window log per key. Only admitted calls take a slot. */
export class RateLimiter {
	private readonly calls = new Map<string, number[]>();

	/** undefined = admitted; otherwise whole seconds until a slot frees. */
	check(key: string, limit: RateLimit | null, now = Date.now()): number | undefined {
		if (!limit) return undefined;
		const list = (this.calls.get(key) ?? []).filter((t) => t > now - limit.windowMs);
		if (list.length >= limit.max) {
			this.calls.set(key, list);
			const oldest = list[list.length - limit.max] ?? now;
			return Math.max(1, Math.ceil((oldest + limit.windowMs - now) / 1000));
		}
		list.push(now);
		this.calls.set(key, list);
		return undefined;
	}

	reset(): void {
		this.calls.clear();
	}
}

// ---------------------------------------------------------------- service plumbing

export interface ServiceContext {
	service: EmulatedService;
	config: EmulatorConfig;
	stats: StatsBook;
	faults: FaultBook;
	/** this listener's own base URL (known after listen) */
	url(): string;
}

export interface ServiceImpl {
	handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
	reset(): void;
	expireAll(): void;
	revokeAll(): void;
	addUser(user: { username?: string; password?: string; apiCredential?: string }): void;
	activeToken(userKey: string): string | undefined;
}

// ---------------------------------------------------------------- appliance sessions

/** What every emulated appliance session has: what the client sends back, whose it is, when last used. */
export interface ApplianceSession {
	id: string;
	user: string;
	lastUsed: number;
	expired: boolean;
}

/**
 * The sessions an appliance holds, ending `idleMs()` after their last use (an admin idle timeout)
 * or when `expireAll` ends them all (an administrator, a reboot). FortiManager and FortiGate alike.
 */
export class SessionBook<S extends ApplianceSession> {
	private readonly sessions = new Map<string, S>();

	constructor(private readonly idleMs: () => number) {}

	add(session: S): S {
		this.sessions.set(session.id, session);
		return session;
	}

	get(id: string): S | undefined {
		return this.sessions.get(id);
	}

	delete(id: string): void {
		this.sessions.delete(id);
	}

	alive(s: S, now = Date.now()): boolean {
		return !s.expired && now - s.lastUsed < this.idleMs();
	}

	/** The live sessions, oldest first; of one user when given. */
	live(user?: string): S[] {
		return [...this.sessions.values()].filter((s) => (user === undefined || s.user === user) && this.alive(s));
	}

	/** The user's newest live session. */
	newest(user: string): S | undefined {
		return this.live(user).at(-1);
	}

	expireAll(): void {
		for (const s of this.sessions.values()) s.expired = true;
	}

	clear(): void {
		this.sessions.clear();
	}
}
