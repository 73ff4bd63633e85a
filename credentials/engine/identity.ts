/**
 * One identity's token in this n8n process, and the only code that reads or changes it. An
 * identity is an account at a token service (see `identityKey`): every execution and every
 * credential type on it shares this one object, so one renewal serves them all.
 *
 * The modes (modes/) decide *when* to renew, confirm or revoke; this class decides *how*, once:
 * single flight for each of the three, the order every caller opens with (`open`), what is known
 * dead, a refused login remembered, the wait for another process's token. Modelled on
 * google-auth-library's clients (`#pendingAccessToken`, `refreshTokenPromises`).
 */
import { createHash } from 'crypto';

import { sleep } from 'n8n-workflow';

import { isTokenError, redact, settle, tokenError, unwrap } from './errors';
import type { FortinetTokenError, Settled } from './errors';
import { isExpired } from './expiry';
import { lockoutRisk, recordLogin } from './lockout';
import { settings } from './settings';
import { SingleFlight } from './singleFlight';
import type { AuthCall, Connection, Liveness, RequestHelpers, ServiceDescription, TokenSet } from './types';

/** Fingerprints of replaced or revoked tokens kept per identity. */
const DEAD_KEPT = 8;
/** Answers of "no such call" in a row after which an identity's failures are judged without a check. */
const UNSUPPORTED_AFTER = 3;
/** How long checks stay off after that before the service is asked again. */
const CHECKS_OFF_MS = 10 * 60 * 1000;

/** Who asks: the service and account the call is for, and the call to its token endpoints (n8n's helpers, bounded). */
export interface Caller {
	service: ServiceDescription;
	connection: Connection;
	call: AuthCall;
}

export interface RenewalOptions {
	/** `login` skips the refresh grant (Force New Login). */
	mode: 'refreshOrLogin' | 'login';
	/** The refresh token stored with the credential, used when this process holds none. */
	storedRefreshToken?: string;
	/** Force New Login: ask the service even while a refused login or a 429 is remembered. */
	ignoreRefused?: boolean;
	/** The renewal answers a failed request the service could not explain (see failureRenewalQuietMs). */
	afterUnexplainedFailure?: boolean;
	/** The token being replaced (dead, or near its end): another process may have replaced it already. */
	replacing?: TokenSet;
	/** Renewing ahead of expiry: the token still works, so nobody waits for another process first. */
	early?: boolean;
	/** The service said the replaced token is dead: a session of it needs no logout. */
	replacedDead?: boolean;
}

/** Whether a service's logins open sessions on the appliance (which a logout ends), not tokens. */
export function opensSessions(service: ServiceDescription): boolean {
	return (service.sendsTokenAs ?? 'bearer') !== 'bearer';
}

/**
 * What a failed request says of the token it carried: `alive` (the API's own error), `dead`,
 * `unknown` (the check failed this time: renewed, but kept if the renewal fails too), `unexplained`
 * (no check: renewed once per quiet window) or `quiet` (renewed for such a failure moments ago).
 */
export type Judgement = 'alive' | 'dead' | 'unknown' | 'unexplained' | 'quiet';

/** n8n's request functions, held weakly: an execution's helpers must not outlive the execution. */
interface KeptHelpers {
	httpRequest?: WeakRef<NonNullable<RequestHelpers['httpRequest']>>;
	request?: WeakRef<NonNullable<RequestHelpers['request']>>;
}

interface Check {
	print: string;
	verdict: Promise<Liveness>;
	/** The check queued after it, for callers whose failure came after it was sent. */
	next?: Promise<Liveness>;
}

/** A plain copy of the state, for tests and benchmarks (no promises, no functions). */
export interface IdentitySnapshot {
	token?: TokenSet;
	dead: string[];
	refused?: { error: Error; until: number };
	unsupportedChecks: number;
	earlyRenewalPausedUntil?: number;
	renewedAfterFailureAt?: number;
}

/** A short, one-way fingerprint of a token: lets an identity recognise a token without keeping it twice. */
export function fingerprint(token: string): string {
	return createHash('sha256').update(`fortinet-token:${token}`).digest('hex').slice(0, 32);
}

function isRefusal(error: unknown): boolean {
	return isTokenError(error) && (error.kind === 'badCredentials' || error.kind === 'unknownClient');
}

export class Identity {
	#token?: TokenSet;
	readonly #renewal = new SingleFlight<TokenSet>();
	readonly #revocation = new SingleFlight<TokenSet | undefined>();
	#check?: Check;
	/** "No such call" answers of the token check in a row, and until when checks are off. */
	#unsupportedChecks = 0;
	#checksOffUntil = 0;
	/** Hooks and operations working with this identity right now: it is not evicted under them. */
	#users = 0;
	#helpers: KeptHelpers = {};
	/** Fingerprints of tokens this process replaced or revoked: known dead, never sent again. */
	readonly #dead: string[] = [];
	/** A login the service refused (or a 429), answered from memory until `until`. */
	#refused?: { error: FortinetTokenError; until: number };
	/** Until when renewing ahead of expiry is not tried again after it failed. */
	#earlyRenewalPausedUntil?: number;
	/** When the current token was obtained for a failed request the service could not explain. */
	#renewedAfterFailureAt?: number;
	/** The last token this process obtained itself (fingerprint and when), not adopted from the store. */
	#obtainedHere?: { print: string; at: number };
	/** The slowest failed request lately (ms) and when it was seen: how long resends take now. */
	#latency?: { ms: number; at: number };

	get token(): TokenSet | undefined {
		return this.#token;
	}

	get renewing(): boolean {
		return this.#renewal.pending !== undefined;
	}

	get revoking(): boolean {
		return this.#revocation.pending !== undefined;
	}

	get busy(): boolean {
		return this.#users > 0 || this.renewing || this.revoking || this.#check !== undefined;
	}

	/** Runs `work` with this identity marked in use: eviction leaves it alone across every await. */
	async use<T>(work: () => Promise<T>): Promise<T> {
		this.#users++;
		try {
			return await work();
		} finally {
			this.#users--;
		}
	}

	/**
	 * Remembers the caller's request functions weakly. n8n's legacy `request` helper closes over
	 * the whole execution; held weakly, they serve renewals ahead of expiry while n8n keeps them.
	 */
	keep(helpers: RequestHelpers): void {
		const kept = this.#helpers;
		if (helpers.httpRequest && kept.httpRequest?.deref() !== helpers.httpRequest) kept.httpRequest = new WeakRef(helpers.httpRequest);
		if (helpers.request && kept.request?.deref() !== helpers.request) kept.request = new WeakRef(helpers.request);
	}

	/** The kept request functions still alive, or undefined when there are none. */
	keptHelpers(): RequestHelpers | undefined {
		const httpRequest = this.#helpers.httpRequest?.deref();
		const request = this.#helpers.request?.deref();
		return httpRequest || request ? { httpRequest, request } : undefined;
	}

	/**
	 * How long a failed request took, from `authenticate` to the hook: another process's resends,
	 * sent with a token it just obtained, take about as long, and a login must not kill it sooner.
	 */
	observe(ms: number, now = Date.now()): void {
		if (ms >= this.#latencyMs(now)) this.#latency = { ms, at: now };
	}

	/** The slowest failed request of the last `peerEpisodeMs` (0 when none). */
	#latencyMs(now: number): number {
		const latency = this.#latency;
		return latency && now - latency.at < settings.peerEpisodeMs ? latency.ms : 0;
	}

	isDead(token: string): boolean {
		return this.#dead.includes(fingerprint(token));
	}

	/**
	 * Makes the stored token current when this process has none, or when the stored one was issued
	 * later: another n8n process, or this one before a restart, renewed it. Issue time, not expiry,
	 * decides, so tokens that never expire converge across processes too.
	 */
	adopt(stored: TokenSet | undefined): void {
		if (!stored || stored.accessToken === this.#token?.accessToken || this.isDead(stored.accessToken)) return;
		if (!this.#token || stored.issuedAt > this.#token.issuedAt) this.#replace(stored);
	}

	/**
	 * The current token when it can be sent without awaiting anything (`authenticate`'s common
	 * case); undefined while a revocation or renewal runs, or when `usable` says no.
	 */
	ready(stored: TokenSet | undefined, usable: (token: TokenSet) => boolean): TokenSet | undefined {
		if (this.revoking) return undefined;
		// A newer stored token (another process renewed) is adopted even while a renewal waits for one.
		this.adopt(stored);
		return !this.renewing && this.#token && usable(this.#token) ? this.#token : undefined;
	}

	/**
	 * How every hook and operation starts, in this order: (1) a revocation under way finishes, so
	 * nothing uses, adopts or renews the token it is ending; (2) the stored token is adopted, which
	 * also answers a renewal of this process that waits for another process's token; (3) a renewal
	 * under way is joined rather than a second one started. Returns that renewal's outcome, or
	 * undefined when none ran.
	 */
	async open(stored: TokenSet | undefined): Promise<Settled<TokenSet> | undefined> {
		await this.#revocation.settled();
		this.adopt(stored);
		const renewal = this.#renewal.pending;
		return renewal ? await settle(async () => await renewal) : undefined;
	}

	/** Whether renewing ahead of expiry failed a moment ago (the still-valid token is sent meanwhile). */
	get earlyRenewalPaused(): boolean {
		return this.#earlyRenewalPausedUntil !== undefined && Date.now() < this.#earlyRenewalPausedUntil;
	}

	/**
	 * Starts (or joins) the one renewal of this identity: refresh grant first, password grant as
	 * fallback. A renewal asked for during a revocation starts after it, so a revoke never leaves a
	 * token behind that it did not revoke.
	 */
	renew(caller: Caller, options: RenewalOptions): Promise<TokenSet> {
		return this.#renewal.run(async () => {
			await this.#revocation.settled();
			const obtained = await settle(async () => await this.#obtain(caller, options));
			if (!obtained.ok) throw this.#failed(caller, obtained.error);
			const { token, here } = obtained.value;
			if (here) this.#obtainedHere = { print: fingerprint(token.accessToken), at: Date.now() };
			this.#refused = undefined;
			this.#earlyRenewalPausedUntil = undefined;
			const replaced = this.#token;
			this.#replace(token);
			if (options.afterUnexplainedFailure) this.#renewedAfterFailureAt = Date.now();
			// A session replaced while it may be alive would hold an admin slot until it idles out.
			const open = replaced && replaced.accessToken !== token.accessToken && !options.replacedDead;
			if (here && open && opensSessions(caller.service)) await this.logOut(caller, replaced);
			return token;
		});
	}

	async #obtain(caller: Caller, options: RenewalOptions): Promise<{ token: TokenSet; here: boolean }> {
		if (!options.ignoreRefused && this.#refused && Date.now() < this.#refused.until) throw this.#refused.error;
		const dead = options.replacing;
		const adopted = dead && !options.early ? await this.#peerToken(dead, settings.peerWaitMs * this.#peerWaitShare(dead)) : undefined;
		if (adopted) return { token: adopted, here: false };
		const { protocol } = caller.service;
		const stored = options.storedRefreshToken && !this.isDead(options.storedRefreshToken) ? options.storedRefreshToken : undefined;
		const refreshToken = this.#token?.refreshToken ?? stored;
		// A session that is its own refresh token (a FortiOS keepalive) died with it.
		const diedWith = dead !== undefined && refreshToken === dead.accessToken && !options.early;
		if (options.mode === 'refreshOrLogin' && refreshToken && protocol.refresh && !diedWith) {
			const refresh = protocol.refresh;
			const refreshed = await settle(async () => await refresh(caller.call, caller.connection, refreshToken, caller.service));
			if (refreshed.ok) return { token: refreshed.value, here: true };
			// A rate limit or an unreachable service would refuse the login just the same.
			const { error } = refreshed;
			if (!isTokenError(error) || ['rateLimited', 'network', 'tls'].includes(error.kind)) throw error;
			if (isRefusal(error)) {
				this.#forget(refreshToken);
				// Another process may have used it a moment ago: a login now would kill the token it is
				// sending with. Its requests get the time to finish, and its stored token the time to arrive.
				const peers = dead ? await this.#peerToken(dead, this.#holdMs(dead)) : undefined;
				if (peers) return { token: peers, here: false };
			}
			// Otherwise (an error page, a 5xx) the refresh token is kept: the service, not the token, failed.
		}
		return { token: await this.#login(caller), here: true };
	}

	/** A login, unless it could reach the appliance's lockout; its outcome counts towards it. */
	async #login(caller: Caller): Promise<TokenSet> {
		const { connection, service } = caller;
		const risk = lockoutRisk(service, connection.baseUrl);
		if (risk) throw risk;
		const login = await settle(async () => await service.protocol.login(caller.call, connection, service));
		if (login.ok || (isTokenError(login.error) && login.error.kind === 'badCredentials')) recordLogin(service, connection.baseUrl, !login.ok);
		return unwrap(login);
	}

	/** A failed renewal: scrubbed of every secret, a refusal or 429 remembered, early renewal paused. */
	#failed(caller: Caller, error: unknown): FortinetTokenError {
		const remembered = this.#refused?.error;
		if (remembered && error === remembered) return remembered;
		const clean = this.scrub(caller, error);
		const now = Date.now();
		// A configuration the service refuses (FortiOS: a two-factor admin) is refused again.
		if (clean.kind === 'badCredentials' || clean.kind === 'unknownClient' || clean.kind === 'configuration') {
			const memory = caller.service.locksOut ? Number.POSITIVE_INFINITY : settings.refusedLoginMemoryMs;
			this.#refused = { error: clean, until: now + memory };
		} else if (clean.kind === 'rateLimited') {
			// Asking again before the service's Retry-After only prolongs the block; but never for
			// longer than maxRateLimitMemoryMs, whatever the service said.
			const wait = Math.min(clean.retryAfterMs ?? settings.refusedLoginMemoryMs, settings.maxRateLimitMemoryMs);
			this.#refused = { error: clean, until: now + wait };
		}
		// While the current token is valid, requests keep it rather than each waiting for another
		// attempt at an endpoint that just failed.
		const current = this.#token;
		if (current && !isExpired(current, now)) {
			this.#earlyRenewalPausedUntil = Math.min(now + settings.earlyRenewalPauseMs, current.expiresAt ?? Number.MAX_SAFE_INTEGER);
		}
		return clean;
	}

	/**
	 * Which share of `peerWaitMs` to wait before renewing a dead token. None for a token this
	 * process obtained a while ago: it is the one everybody used, and this process renews it at
	 * once. Otherwise the process that obtained it waits less than the others (so it usually renews
	 * first), and every process stops at a different moment, so one renews and the others find its
	 * stored token.
	 */
	#peerWaitShare(dead: TokenSet, now = Date.now()): number {
		const own = this.#obtainedHere;
		if (own === undefined || own.print !== fingerprint(dead.accessToken)) return 0.5 + Math.random() / 2;
		return now - own.at >= settings.peerEpisodeMs ? 0 : Math.random() / 2;
	}

	/**
	 * How long to wait after a refused refresh token before logging in. Someone renewed (or logged
	 * in) moments ago; if it was another n8n process, its resends carry that token now and take
	 * about as long as this process's failed requests did. The process that obtained the dead token
	 * waits one and a half such times, the others three more, so two logins after one death are
	 * further apart than a request takes, and each process's resends finish before the next login
	 * kills the token.
	 */
	#holdMs(dead: TokenSet, now = Date.now()): number {
		const latency = this.#latencyMs(now);
		const own = this.#obtainedHere?.print === fingerprint(dead.accessToken);
		return Math.min(settings.peerWaitMs + latency * (own ? 1.5 : 4.5), settings.maxPeerHoldMs);
	}

	/**
	 * Waits up to `waitMs` for a token newer than `dead` to become current: adopted from the store
	 * by a concurrent request of this process after another process renewed.
	 */
	async #peerToken(dead: TokenSet, waitMs: number): Promise<TokenSet | undefined> {
		const deadline = Date.now() + waitMs;
		for (;;) {
			const current = this.#token;
			const found = current && current.issuedAt > dead.issuedAt && !isExpired(current) ? current : undefined;
			if (found || Date.now() >= deadline) return found;
			await sleep(Math.min(settings.peerPollMs, Math.max(1, deadline - Date.now())));
		}
	}

	/**
	 * Asks the service whether `token` is alive, shared by concurrent callers. A check already under
	 * way was sent before a newly arriving caller's failure, so its "alive" may predate it: such a
	 * caller waits for the next check, which every later caller shares (at most two per token).
	 * `joinRunning`: not asked because a request failed (a session's confirmation before use), so
	 * a check under way answers it.
	 */
	async confirm(caller: Caller, token: string, joinRunning = false): Promise<Liveness> {
		if (!caller.service.protocol.check || Date.now() < this.#checksOffUntil) return 'unknown';
		const print = fingerprint(token);
		const start = (): Promise<Liveness> => {
			const check: Check = { print, verdict: this.#ask(caller, token) };
			this.#check = check;
			void check.verdict.then(() => {
				if (this.#check === check) this.#check = undefined;
			});
			return check.verdict;
		};
		const running = this.#check;
		if (running?.print !== print) return await start();
		if (joinRunning) return await running.verdict;
		running.next ??= running.verdict.then(start, start);
		return await running.next;
	}

	async #ask(caller: Caller, token: string): Promise<Liveness> {
		const check = caller.service.protocol.check!;
		const result = await settle(async () => await check(caller.call, caller.connection, token));
		if (!result.ok) return 'unknown';
		const verdict = result.value;
		if (verdict === 'unsupported') return this.#unsupported();
		this.#unsupportedChecks = 0;
		if (verdict !== 'alive' && typeof verdict !== 'object') return verdict;
		// Confirmed: remembered on the token (a session is then sent without another check).
		if (this.#token?.accessToken === token) this.confirmed(typeof verdict === 'object' ? verdict.expiresAt : undefined);
		return 'alive';
	}

	/**
	 * "No such call" (404, 405): a maintenance page or a load balancer can say it once, so only
	 * several in a row turn checks off, and then only for a while.
	 */
	#unsupported(): Liveness {
		this.#unsupportedChecks++;
		if (this.#unsupportedChecks < UNSUPPORTED_AFTER) return 'unknown';
		this.#checksOffUntil = Date.now() + CHECKS_OFF_MS;
		this.#unsupportedChecks = UNSUPPORTED_AFTER - 1;
		return 'unsupported';
	}

	/**
	 * The service vouched for the current token now (or could not say, and it is sent until the
	 * next check); with the remaining lifetime it reported, measured from now.
	 */
	confirmed(expiresAt?: number | null): void {
		const current = this.#token;
		if (!current) return;
		const now = Date.now();
		this.#token = { ...current, confirmedAt: now, ...(expiresAt !== undefined ? { expiresAt, lifetimeFrom: now } : {}) };
	}

	/**
	 * Whether a token that a failed request carried is to be renewed. The HTTP Request node runs
	 * the login hook after any failure, and the hook is not told why: a 404 looks like a dead token.
	 * The service is asked when it can tell. Where it has no check, a token renewed for such an
	 * unexplained failure is not renewed again within `failureRenewalQuietMs`: a run of 404s costs
	 * one renewal, at the price that a token killed from outside within that window is not noticed.
	 */
	async judge(caller: Caller, token: TokenSet): Promise<Judgement> {
		const verdict = await this.confirm(caller, token.accessToken);
		if (verdict === 'alive' || verdict === 'dead') return verdict;
		const checked = caller.service.protocol.check !== undefined && Date.now() >= this.#checksOffUntil;
		if (verdict === 'unknown' && checked) return 'unknown';
		const quiet = this.#renewedAfterFailureAt !== undefined && Date.now() - this.#renewedAfterFailureAt < settings.failureRenewalQuietMs;
		return quiet ? 'quiet' : 'unexplained';
	}

	/**
	 * Revokes at the service where it can, and drops the token so the next use logs in again.
	 * Renewals and revocations under way finish first (their token is the one revoked); renewals
	 * asked for meanwhile start after it.
	 */
	async revoke(caller: Caller, stored: TokenSet | undefined): Promise<TokenSet | undefined> {
		for (let busy = this.#renewal.pending ?? this.#revocation.pending; busy; busy = this.#renewal.pending ?? this.#revocation.pending) {
			await busy.catch(() => undefined);
		}
		return await this.#revocation.run(async () => {
			this.adopt(stored);
			const token = this.#token;
			const revoke = caller.service.protocol.revoke;
			if (token && revoke) {
				const revoked = await settle(async () => await revoke(caller.call, caller.connection, token, caller.service));
				if (!revoked.ok) {
					// Perhaps ended in part (a session logged out, its refresh token not revoked): never
					// sent again unconfirmed, and kept so that a second Revoke can finish the job.
					if (this.#token === token) this.#token = { ...token, confirmedAt: undefined };
					throw this.scrub(caller, revoked.error);
				}
			}
			// A copy of the refresh token may still be stored in the credential: never try it.
			if (token?.refreshToken) this.#markDead(token.refreshToken);
			this.#replace(undefined);
			return token;
		});
	}

	/** Logs out a session that was replaced (best effort): it would stay open until it times out. */
	async logOut(caller: Caller, replaced: TokenSet): Promise<void> {
		const revoke = caller.service.protocol.revoke;
		if (revoke) await settle(async () => await revoke(caller.call, caller.connection, { ...replaced, refreshToken: undefined }, caller.service));
	}

	/** Strips every secret this identity holds from an error before anyone sees it. */
	scrub(caller: Caller, error: unknown): FortinetTokenError {
		const { connection, service } = caller;
		const secrets = [connection.password, connection.apiCredential, this.#token?.accessToken, this.#token?.refreshToken];
		if (!isTokenError(error)) return tokenError('serviceError', `${service.label}: the token request failed unexpectedly.`);
		const description = error.description ? redact(error.description, secrets) : undefined;
		return tokenError(error.kind, redact(error.message, secrets), error.serviceStatus, description, error.retryAfterMs);
	}

	snapshot(): IdentitySnapshot {
		return {
			token: this.#token,
			dead: [...this.#dead],
			refused: this.#refused,
			unsupportedChecks: this.#unsupportedChecks,
			earlyRenewalPausedUntil: this.#earlyRenewalPausedUntil,
			renewedAfterFailureAt: this.#renewedAfterFailureAt,
		};
	}

	#markDead(token: string): void {
		this.#dead.push(fingerprint(token));
		if (this.#dead.length > DEAD_KEPT) this.#dead.shift();
	}

	/** A refused refresh token: never tried again, also not from the copy stored with the credential. */
	#forget(refreshToken: string): void {
		this.#markDead(refreshToken);
		if (this.#token) this.#token = { ...this.#token, refreshToken: undefined };
	}

	/** Replaces the current token, remembering the old one as dead. */
	#replace(token: TokenSet | undefined): void {
		if (this.#token && this.#token.accessToken !== token?.accessToken) this.#markDead(this.#token.accessToken);
		this.#token = token;
		this.#renewedAfterFailureAt = undefined;
	}
}
