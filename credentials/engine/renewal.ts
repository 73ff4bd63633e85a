import { sleep } from 'n8n-workflow';

import { fingerprint, isDead, markDead, replaceToken } from './cache';
import type { CacheEntry } from './cache';
import { FortinetTokenError, tokenError, isTokenError, redact, settle } from './errors';
import { renewalWindow } from './expiry';
import { settings } from './settings';
import { createAuthCall } from './transport';
import type { Connection, Liveness, Protocol, RequestHelpers, ServiceDescription, TokenSet } from './types';

export function needsRenewal(token: TokenSet, now = Date.now()): boolean {
	if (token.expiresAt === null) return false;
	return now >= token.expiresAt - renewalWindow(token.issuedAt, token.expiresAt, settings.maxSkewMs, settings.renewalShare);
}

export function isExpired(token: TokenSet, now = Date.now()): boolean {
	return token.expiresAt !== null && now >= token.expiresAt;
}

/** Waits for a revocation under way, whatever its outcome. */
export async function afterRevocation(entry: CacheEntry): Promise<void> {
	if (entry.revocation) await entry.revocation.catch(() => undefined);
}

/**
 * Makes the stored token the entry's current one when this process has none, or when the stored
 * one was issued later: another n8n process, or this one before a restart, renewed it. Issue time,
 * not expiry, decides, so tokens that never expire converge across processes too.
 */
export function adoptStored(entry: CacheEntry, stored: TokenSet | undefined): void {
	if (!stored || stored.accessToken === entry.token?.accessToken) return;
	if (isDead(entry, stored.accessToken)) return;
	const current = entry.token;
	if (!current || stored.issuedAt > current.issuedAt) replaceToken(entry, stored);
}

/** Strips every secret the engine holds for this identity from an error before anyone sees it. */
export function scrubbed(error: unknown, connection: Connection, entry: CacheEntry | undefined, service: ServiceDescription): FortinetTokenError {
	const secrets = [connection.password, connection.apiCredential, entry?.token?.accessToken, entry?.token?.refreshToken];
	if (isTokenError(error)) {
		return tokenError(
			error.kind,
			redact(error.message, secrets),
			error.serviceStatus,
			error.description ? redact(error.description, secrets) : undefined,
			error.retryAfterMs,
		);
	}
	return tokenError('serviceError', `${service.label}: the token request failed unexpectedly.`);
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
	/** The token a failed request carried and that is dead: another process may have replaced it already. */
	replacing?: TokenSet;
}

/**
 * Which share of `peerWaitMs` to wait before renewing a dead token. None for a token this process
 * obtained a while ago: it is the one everybody used, and this process renews it at once. Otherwise
 * the process that obtained it waits less than the others (so it usually renews first), and every
 * process stops at a different moment, so one renews and the others can find its stored token.
 */
function peerWaitShare(entry: CacheEntry, dead: TokenSet, now = Date.now()): number {
	const own = entry.obtainedHere;
	if (own === undefined || own.token !== fingerprint(dead.accessToken)) return 0.5 + Math.random() / 2;
	return now - own.at >= settings.peerEpisodeMs ? 0 : Math.random() / 2;
}

/**
 * Waits up to `peerWaitMs` for a token newer than `dead` to become current: adopted from the store
 * by a concurrent request of this process after another process renewed and n8n stored it.
 */
async function peerToken(entry: CacheEntry, dead: TokenSet, share = 1): Promise<TokenSet | undefined> {
	const deadline = Date.now() + settings.peerWaitMs * share;
	const newer = (): TokenSet | undefined => {
		const current = entry.token;
		return current && current.issuedAt > dead.issuedAt && !isExpired(current) ? current : undefined;
	};
	for (;;) {
		const found = newer();
		if (found || Date.now() >= deadline) return found;
		await sleep(Math.min(settings.peerPollMs, Math.max(1, deadline - Date.now())));
	}
}

/**
 * Starts (or joins) the one renewal of this identity: refresh grant first, password grant as
 * fallback. A renewal asked for during a revocation starts after it, so a revoke never leaves a
 * token behind that it did not revoke.
 */
export function renew(
	service: ServiceDescription,
	connection: Connection,
	entry: CacheEntry,
	helpers: RequestHelpers,
	options: RenewalOptions,
): Promise<TokenSet> {
	if (entry.renewal) return entry.renewal;
	const call = createAuthCall(helpers, connection.tls, service.label);
	const { protocol } = service;
	const revocation = entry.revocation;
	const run = async (): Promise<{ token: TokenSet; obtained: boolean }> => {
		if (revocation) await revocation.catch(() => undefined);
		if (!options.ignoreRefused && entry.refused && Date.now() < entry.refused.until) throw entry.refused.error;
		const dead = options.replacing;
		if (dead) {
			const adopted = await peerToken(entry, dead, peerWaitShare(entry, dead));
			if (adopted) return { token: adopted, obtained: false };
		}
		const stored = options.storedRefreshToken && !isDead(entry, options.storedRefreshToken) ? options.storedRefreshToken : undefined;
		const refreshToken = entry.token?.refreshToken ?? stored;
		if (options.mode === 'refreshOrLogin' && refreshToken && protocol.refresh) {
			const refreshed = await settle(async () => await protocol.refresh!(call, connection, refreshToken, service));
			if (refreshed.ok) return { token: refreshed.value, obtained: true };
			// A refused refresh token falls back to the login grant; a rate limit or an
			// unreachable service would refuse the login just the same.
			const { error } = refreshed;
			if (!(isTokenError(error)) || ['rateLimited', 'network', 'tls'].includes(error.kind)) {
				throw error;
			}
			// Never tried again, also not from the copy stored with the credential.
			markDead(entry, refreshToken);
			if (entry.token) entry.token = { ...entry.token, refreshToken: undefined };
			// Another process may have used it a moment ago: a login now would kill the token it is
			// sending with. Its requests get the time to finish, and its stored token the time to arrive.
			if (dead) {
				const adopted = await peerToken(entry, dead);
				if (adopted) return { token: adopted, obtained: false };
			}
		}
		return { token: await protocol.login(call, connection, service), obtained: true };
	};
	const renewal = run().then(
		({ token, obtained }) => {
			if (obtained) entry.obtainedHere = { token: fingerprint(token.accessToken), at: Date.now() };
			entry.refused = undefined;
			entry.earlyRenewalPausedUntil = undefined;
			replaceToken(entry, token);
			if (options.afterUnexplainedFailure) entry.renewedAfterFailureAt = Date.now();
			return token;
		},
		(error: unknown) => {
			if (error === entry.refused?.error) throw error;
			const clean = scrubbed(error, connection, entry, service);
			const now = Date.now();
			if (clean.kind === 'badCredentials' || clean.kind === 'unknownClient') {
				entry.refused = { error: clean, until: now + settings.refusedLoginMemoryMs };
			} else if (clean.kind === 'rateLimited') {
				// Asking again before the service's Retry-After only prolongs the block; but never for
				// longer than maxRateLimitMemoryMs, whatever the service said.
				const wait = Math.min(clean.retryAfterMs ?? settings.refusedLoginMemoryMs, settings.maxRateLimitMemoryMs);
				entry.refused = { error: clean, until: now + wait };
			}
			// While the current token is valid, requests keep it rather than each waiting for
			// another attempt at an endpoint that just failed.
			const current = entry.token;
			if (current && !isExpired(current, now)) {
				entry.earlyRenewalPausedUntil = Math.min(now + settings.earlyRenewalPauseMs, current.expiresAt ?? Number.MAX_SAFE_INTEGER);
			}
			throw clean;
		},
	);
	entry.renewal = renewal;
	const release = () => {
		if (entry.renewal === renewal) entry.renewal = undefined;
	};
	renewal.then(release, release);
	return renewal;
}

/** Checks of pasted tokens under way (they have no cache entry), by fingerprint. */
const pastedChecks = new Map<string, Promise<Liveness>>();

/**
 * Asks the service whether a token is alive, shared by concurrent callers. A check already under
 * way was sent before a newly arriving caller's failure, so its "alive" may predate it: such a
 * caller waits for the next check, which every later caller shares (at most two per token).
 */
export async function liveness(
	protocol: Protocol,
	connection: Connection,
	helpers: RequestHelpers,
	token: string,
	label: string,
	entry?: CacheEntry,
	/** Not asked because a request failed (a session's confirmation before use): a check under way answers it. */
	joinRunning = false,
): Promise<Liveness> {
	const check = protocol.check;
	if (!check) return 'unknown';
	const print = fingerprint(token);
	const ask = async (): Promise<Liveness> => {
		const call = createAuthCall(helpers, connection.tls, label);
		const result = await settle(async () => await check(call, connection, token));
		if (!result.ok) return 'unknown';
		const verdict = result.value;
		if (verdict === 'alive' || typeof verdict === 'object') {
			// Confirmed: remembered on the entry's token (sessions are then sent without another check).
			const current = entry?.token;
			if (entry && current?.accessToken === token) {
				entry.token = { ...current, checkedAt: Date.now(), ...(typeof verdict === 'object' ? { expiresAt: verdict.expiresAt } : {}) };
			}
			return 'alive';
		}
		return verdict;
	};
	if (!entry) {
		const running = pastedChecks.get(print);
		if (running) return await running;
		const verdict = ask();
		pastedChecks.set(print, verdict);
		void verdict.finally(() => pastedChecks.delete(print));
		return await verdict;
	}
	const start = (): Promise<Liveness> => {
		const current: NonNullable<CacheEntry['check']> = { token: print, verdict: ask() };
		entry.check = current;
		void current.verdict.then(() => {
			if (entry.check === current) entry.check = undefined;
		});
		return current.verdict;
	};
	const running = entry.check;
	if (running?.token !== print) return await start();
	if (joinRunning) return await running.verdict;
	running.next ??= running.verdict.then(start, start);
	return await running.next;
}

/**
 * Whether a token that a failed request carried is to be renewed. The HTTP Request node runs the
 * login hook after any failure, and the hook is not told why: a 404 looks like a dead token. The
 * service is asked when it can tell. A check that failed this time means renewing (safe, and
 * single-flight). Where the service has no check at all, a token renewed for such an unexplained
 * failure is not renewed again for another one within `failureRenewalQuietMs`: a run of 404s costs
 * one renewal, at the price that a token killed from outside within that window is not noticed.
 */
export async function isDeadAfterFailure(
	service: ServiceDescription,
	connection: Connection,
	entry: CacheEntry,
	helpers: RequestHelpers,
	token: TokenSet,
): Promise<{ dead: boolean; unexplained: boolean }> {
	const protocol = entry.checkUnsupported ? { ...service.protocol, check: undefined } : service.protocol;
	const verdict = await liveness(protocol, connection, helpers, token.accessToken, service.label, entry);
	if (verdict === 'alive' || verdict === 'dead') return { dead: verdict === 'dead', unexplained: false };
	if (verdict === 'unsupported') entry.checkUnsupported = true;
	else if (protocol.check) return { dead: true, unexplained: false };
	const quiet = entry.renewedAfterFailureAt !== undefined && Date.now() - entry.renewedAfterFailureAt < settings.failureRenewalQuietMs;
	return { dead: !quiet, unexplained: true };
}
