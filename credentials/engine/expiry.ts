import { settings } from './settings';
import type { TokenSet } from './types';

/**
 * Turns the services' expiry formats into epoch milliseconds, or null for "never / unknown".
 * Absurd values (negative, non-numeric, far future, already past) never produce an expiry in the
 * past: that would make every request renew the token. They fall back to the JWT's own `exp`,
 * else to "unknown", in which case the token is renewed only when the service rejects it.
 */
const MAX_LIFETIME_MS = 366 * 24 * 3600 * 1000;
const MIN_LIFETIME_MS = 1000;

function toNumber(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(value)) {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : undefined;
	}
	return undefined;
}

function sane(expiresAt: number, now: number): number | null {
	const lifetime = expiresAt - now;
	return lifetime >= MIN_LIFETIME_MS && lifetime <= MAX_LIFETIME_MS ? expiresAt : null;
}

/** `exp` (seconds) of a JWT, without verifying it: only used as a fallback expiry. */
export function jwtExpiry(token: string, now: number): number | null {
	const parts = token.split('.');
	if (parts.length !== 3) return null;
	try {
		const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
		const exp = toNumber((payload as Record<string, unknown> | null)?.exp);
		return exp === undefined ? null : sane(exp * 1000, now);
	} catch {
		return null;
	}
}

/** `expires_in` in seconds (FortiCloud IAM, FortiAuthenticator); 0 means the token never expires. */
export function fromExpiresIn(value: unknown, token: string, now: number): number | null {
	const seconds = toNumber(value);
	if (seconds === 0) return null;
	if (seconds !== undefined && seconds > 0) {
		const expiresAt = sane(now + seconds * 1000, now);
		if (expiresAt !== null) return expiresAt;
	}
	return jwtExpiry(token, now);
}

/** `expires` as an epoch timestamp in milliseconds written as a float (FortiCASB, FortiCWP). */
export function fromEpochMillis(value: unknown, token: string, now: number): number | null {
	let stamp = toNumber(value);
	// Seconds instead of milliseconds would be a 1970 date: accept that form too.
	if (stamp !== undefined && stamp > 0 && stamp < 1e11) stamp *= 1000;
	const expiresAt = stamp === undefined ? null : sane(Math.floor(stamp), now);
	return expiresAt ?? jwtExpiry(token, now);
}

/** How long before expiry a token is renewed: the smaller of 5 minutes and 10 % of its lifetime. */
export function renewalWindow(issuedAt: number, expiresAt: number, maxSkewMs: number, share = 0.1): number {
	return Math.min(maxSkewMs, Math.floor((expiresAt - issuedAt) * share));
}

/**
 * Whether a token is due for renewal: inside the window before its expiry. The window is a share
 * of the lifetime as last measured: from the issue, or from the check that reported it (a
 * session's idle lifetime restarts with every call, so counting from the login would widen the
 * window until it swallowed the whole lifetime).
 */
export function needsRenewal(token: TokenSet, now = Date.now()): boolean {
	if (token.expiresAt === null) return false;
	const from = token.lifetimeFrom ?? token.issuedAt;
	return now >= token.expiresAt - renewalWindow(from, token.expiresAt, settings.maxSkewMs, settings.renewalShare);
}

export function isExpired(token: TokenSet, now = Date.now()): boolean {
	return token.expiresAt !== null && now >= token.expiresAt;
}
