/**
 * Failed logins per appliance, for services that lock an address out (FortiOS: 3 failures from
 * one source address → `admin-lockout-duration`). The lockout counts every administrator and
 * password n8n tries there, so this ledger is per origin, not per identity: once one failure short
 * of the threshold, this process does not try another login there until the lockout's duration
 * has passed since the last failure (a Force New Login or a corrected password included).
 */
import { tokenError } from './errors';
import type { FortinetTokenError } from './errors';
import type { ServiceDescription } from './types';

interface Failures {
	count: number;
	lastAt: number;
}

const failures = new Map<string, Failures>();

function originOf(baseUrl: string): string {
	try {
		return new URL(baseUrl).origin;
	} catch {
		return baseUrl;
	}
}

/** The error that stops a login which could reach the lockout, or undefined when it may go. */
export function lockoutRisk(service: ServiceDescription, baseUrl: string, now = Date.now()): FortinetTokenError | undefined {
	const lockout = service.locksOut;
	const seen = failures.get(originOf(baseUrl));
	if (!lockout || !seen || seen.count < lockout.failures - 1) return undefined;
	const waitMs = seen.lastAt + lockout.durationMs - now;
	if (waitMs <= 0) return undefined;
	const message = `${service.label} refused ${seen.count} logins from n8n a moment ago; one more failure would lock n8n's address out (${lockout.setting}). Check the Username and Password, then try again in ${Math.ceil(waitMs / 1000)} s.`;
	return tokenError('rateLimited', message, undefined, undefined, waitMs);
}

/** Counts a login's outcome: a refused password is one more failure, a session clears the count. */
export function recordLogin(service: ServiceDescription, baseUrl: string, refused: boolean, now = Date.now()): void {
	if (!service.locksOut) return;
	const origin = originOf(baseUrl);
	if (!refused) {
		failures.delete(origin);
		return;
	}
	failures.set(origin, { count: (failures.get(origin)?.count ?? 0) + 1, lastAt: now });
}

/** A new process: nothing failed yet. */
export function clearLoginFailures(): void {
	failures.clear();
}
