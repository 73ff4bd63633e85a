/**
 * The owner of an identity's state, driven deterministically: a scripted token service (a fake
 * AuthCall that answers what each test queues, and counts what it was asked) and jest's fake
 * timers, so single flight, concurrent renew/revoke/confirm, eviction, the refusal and 429 memory
 * and the check rules are pinned without a network or a real clock.
 */
import { IdentityCache } from '../../credentials/engine/cache';
import { fortiLanCloud } from '../../credentials/engine';
import { Identity } from '../../credentials/engine/identity';
import type { Caller } from '../../credentials/engine/identity';
import { resetEngine } from '../../credentials/engine/testing';
import type { AuthRequest, AuthResponse, Connection } from '../../credentials/engine/types';
import { errorOf } from '../support/errors';

type Kind = 'login' | 'refresh' | 'check' | 'revoke';

/** A FortiCloud IAM token service whose answers the test scripts, one queue per kind of call. */
class ScriptedService {
	readonly asked: Kind[] = [];
	private readonly queued: Record<Kind, Array<() => AuthResponse>> = { login: [], refresh: [], check: [], revoke: [] };
	/** Calls held until the test releases them (a slow service). */
	private held?: Promise<void>;
	private issued = 0;

	hold(): () => void {
		let release = () => {};
		this.held = new Promise((resolve) => (release = resolve));
		return () => {
			this.held = undefined;
			release();
		};
	}

	answer(kind: Kind, statusCode: number, body: unknown = {}, headers: Record<string, string> = {}): void {
		this.queued[kind].push(() => ({ statusCode, headers, body }));
	}

	count(kind: Kind): number {
		return this.asked.filter((asked) => asked === kind).length;
	}

	readonly call = async (request: AuthRequest): Promise<AuthResponse> => {
		const kind = this.kindOf(request);
		this.asked.push(kind);
		if (this.held) await this.held;
		const scripted = this.queued[kind].shift();
		if (scripted) return scripted();
		if (kind === 'check') return { statusCode: 200, headers: {}, body: {} };
		if (kind === 'revoke') return { statusCode: 200, headers: {}, body: {} };
		this.issued++;
		return { statusCode: 200, headers: {}, body: { access_token: `access-${this.issued}`, refresh_token: `refresh-${this.issued}`, expires_in: 3600 } };
	};

	private kindOf(request: AuthRequest): Kind {
		if (request.url.includes('verify_token')) return 'check';
		if (request.url.includes('revoke_token')) return 'revoke';
		return request.body?.grant_type === 'refresh_token' ? 'refresh' : 'login';
	}
}

const connection: Connection = {
	baseUrl: 'https://customerapiauth.fortinet.com',
	grant: 'password',
	username: 'API-USER',
	password: 'scripted-password',
	clientId: 'fortilancloud',
	tls: { skipVerification: false },
};

let service: ScriptedService;
let identity: Identity;
let caller: Caller;

beforeEach(() => {
	jest.useFakeTimers({ now: new Date('2026-12-05T12:00:00Z') });
	resetEngine({ peerWaitMs: 0 });
	service = new ScriptedService();
	identity = new Identity();
	caller = { service: fortiLanCloud, connection, call: service.call };
});
afterEach(() => {
	jest.useRealTimers();
	resetEngine();
});

const renew = () => identity.renew(caller, { mode: 'refreshOrLogin' });

describe('single flight', () => {
	test('20 concurrent renewals are one login, and all get its token', async () => {
		const tokens = await Promise.all(Array.from({ length: 20 }, renew));
		expect(service.asked).toEqual(['login']);
		expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set(['access-1']));
		expect(identity.renewing).toBe(false);
	});

	test('a renewal after one settled is a new one: the refresh grant with the held refresh token', async () => {
		await renew();
		const second = await renew();
		expect(service.asked).toEqual(['login', 'refresh']);
		expect(second.accessToken).toBe('access-2');
		expect(identity.isDead('access-1')).toBe(true);
	});

	test('a failed renewal is forgotten too (try/finally): the next caller asks again', async () => {
		service.answer('login', 503);
		await expect(renew()).rejects.toThrow(/internal error during the login \(HTTP 503\)/);
		expect(identity.renewing).toBe(false);
		await expect(renew()).resolves.toMatchObject({ accessToken: 'access-1' });
		expect(service.count('login')).toBe(2);
	});
});

describe('renew and revoke together', () => {
	test('a revoke during a renewal waits for it and revokes its token; a renewal asked meanwhile starts after it', async () => {
		const release = service.hold();
		const renewing = renew();
		const revoking = identity.revoke(caller, undefined);
		await jest.advanceTimersByTimeAsync(0);
		expect(service.asked).toEqual(['login']);
		release();
		const releaseRevoke = service.hold();
		await renewing;
		await jest.advanceTimersByTimeAsync(0);
		expect(identity.revoking).toBe(true);
		const afterRevoke = renew();
		releaseRevoke();
		await expect(revoking).resolves.toMatchObject({ accessToken: 'access-1' });
		// Access and refresh token revoked, then the renewal asked during the revocation: a login
		// (the revoked refresh token is never used).
		await expect(afterRevoke).resolves.toMatchObject({ accessToken: 'access-2' });
		expect(service.asked).toEqual(['login', 'revoke', 'revoke', 'login']);
		expect(identity.isDead('refresh-1')).toBe(true);
	});

	test('open() waits for a revocation, adopts the stored token, then joins a renewal', async () => {
		await renew();
		const release = service.hold();
		const renewing = renew();
		const stored = { accessToken: 'stored-newer', tokenType: 'Bearer', expiresAt: Date.now() + 3_600_000, issuedAt: Date.now() + 1 };
		const opened = identity.open(stored);
		await jest.advanceTimersByTimeAsync(0);
		// Adopted at once, while the renewal still runs.
		expect(identity.token?.accessToken).toBe('stored-newer');
		release();
		await expect(opened).resolves.toMatchObject({ ok: true, value: { accessToken: 'access-2' } });
		await renewing;
	});

	test('a revoke that fails halfway leaves the token unconfirmed, not dropped', async () => {
		await renew();
		identity.confirmed();
		service.answer('revoke', 200);
		service.answer('revoke', 503);
		await expect(identity.revoke(caller, undefined)).rejects.toThrow(/HTTP 503/);
		expect(identity.token?.accessToken).toBe('access-1');
		expect(identity.token?.confirmedAt).toBeUndefined();
	});
});

describe('refusals and rate limits remembered', () => {
	test('a refused login is answered from memory for refusedLoginMemoryMs, then asked again', async () => {
		resetEngine({ peerWaitMs: 0, refusedLoginMemoryMs: 30_000 });
		service.answer('login', 401, { error: 'invalid_grant' });
		const first = await errorOf(renew());
		const second = await errorOf(renew());
		expect(second).toBe(first);
		expect(service.count('login')).toBe(1);
		await jest.advanceTimersByTimeAsync(30_001);
		await expect(renew()).resolves.toMatchObject({ accessToken: 'access-1' });
		expect(service.count('login')).toBe(2);
	});

	test('a 429 is remembered for its Retry-After, bounded by maxRateLimitMemoryMs', async () => {
		resetEngine({ peerWaitMs: 0, maxRetryAfterMs: 0, maxRateLimitMemoryMs: 5_000 });
		service.answer('login', 429, {}, { 'retry-after': '3600' });
		await expect(renew()).rejects.toThrow(/rate limiting/);
		await expect(renew()).rejects.toThrow(/rate limiting/);
		expect(service.count('login')).toBe(1);
		await jest.advanceTimersByTimeAsync(5_001);
		await expect(renew()).resolves.toMatchObject({ accessToken: 'access-1' });
	});

	test('Force New Login ignores the memory', async () => {
		service.answer('login', 401, { error: 'invalid_grant' });
		await expect(renew()).rejects.toThrow(/rejected the credentials/);
		await expect(identity.renew(caller, { mode: 'login', ignoreRefused: true })).resolves.toMatchObject({ accessToken: 'access-1' });
	});

	test('a refresh answered 5xx falls back to a login but keeps its refresh token; a refused one is dead', async () => {
		await renew();
		service.answer('refresh', 503);
		service.answer('login', 503);
		await expect(renew()).rejects.toThrow(/503/);
		expect(identity.isDead('refresh-1')).toBe(false);
		service.answer('refresh', 401, { error: 'invalid_grant' });
		await expect(renew()).resolves.toMatchObject({ accessToken: 'access-2' });
		expect(identity.isDead('refresh-1')).toBe(true);
		expect(service.asked).toEqual(['login', 'refresh', 'login', 'refresh', 'login']);
	});
});

describe('checks', () => {
	test('confirmations share one check; a failed request arriving during it waits for the next one', async () => {
		await renew();
		const release = service.hold();
		const confirming = [identity.confirm(caller, 'access-1', true), identity.confirm(caller, 'access-1', true)];
		const afterFailure = [identity.confirm(caller, 'access-1'), identity.confirm(caller, 'access-1')];
		await jest.advanceTimersByTimeAsync(0);
		release();
		await expect(Promise.all([...confirming, ...afterFailure])).resolves.toEqual(['alive', 'alive', 'alive', 'alive']);
		expect(service.count('check')).toBe(2);
		expect(identity.token?.confirmedAt).toBe(Date.now());
	});

	test('one 404 from the check means "cannot tell" (renew); three in a row turn checks off for ten minutes', async () => {
		const token = await renew();
		for (let i = 0; i < 3; i++) service.answer('check', 404);
		expect(await identity.judge(caller, token)).toBe('unknown');
		expect(await identity.judge(caller, token)).toBe('unknown');
		expect(await identity.judge(caller, token)).toBe('unexplained');
		expect(service.count('check')).toBe(3);
		expect(await identity.confirm(caller, token.accessToken)).toBe('unknown');
		expect(service.count('check')).toBe(3);
		await jest.advanceTimersByTimeAsync(10 * 60 * 1000 + 1);
		service.answer('check', 401);
		expect(await identity.judge(caller, token)).toBe('dead');
		expect(service.count('check')).toBe(4);
	});

	test('an answer other than 404 between them resets the count', async () => {
		const token = await renew();
		service.answer('check', 404);
		service.answer('check', 404);
		service.answer('check', 200);
		service.answer('check', 404);
		for (let i = 0; i < 4; i++) await identity.judge(caller, token);
		expect(identity.snapshot().unsupportedChecks).toBe(1);
	});
});

describe('eviction', () => {
	test('identities in use are never evicted; idle ones go least recently used first', async () => {
		const cache = new IdentityCache(() => 2);
		const busy = cache.obtain('a');
		let finish = () => {};
		const using = busy.use(async () => await new Promise<void>((resolve) => (finish = resolve)));
		cache.obtain('b');
		cache.obtain('c');
		cache.obtain('d');
		expect(cache.get('a')).toBe(busy);
		expect(cache.get('b')).toBeUndefined();
		finish();
		await using;
		cache.obtain('e');
		expect(cache.size).toBe(2);
	});
});
