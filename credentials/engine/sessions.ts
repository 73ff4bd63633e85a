/**
 * JSON-RPC sessions (FortiManager, FortiAnalyzer). A request with a dead session is answered with
 * HTTP 200 and code -11 in the body, so n8n never sees a failure and never retries: a session is
 * therefore confirmed by the service (`get /sys/session`) before it is sent whenever the last
 * confirmation is older than the credential's interval, and renewed when that check calls it dead
 * or its reported lifetime runs out. Between two checks a session killed from outside (an
 * administrator, a reboot) is not noticed: the interval bounds that, and 0 checks every request.
 */
import type { CacheEntry } from './cache';
import { isExpired, liveness, needsRenewal, renew } from './renewal';
import type { Connection, RequestHelpers, ServiceDescription, TokenSet } from './types';

export function isSessionService(service: ServiceDescription): boolean {
	return service.sendsTokenAs === 'jsonRpcSession';
}

/** Whether the token can be sent as it is: not about to expire and, for a session, confirmed lately. */
export function isUsable(service: ServiceDescription, connection: Connection, token: TokenSet, now = Date.now()): boolean {
	if (needsRenewal(token, now)) return false;
	if (!isSessionService(service)) return true;
	return token.checkedAt !== undefined && now - token.checkedAt < (connection.sessionCheckMs ?? 0);
}

/**
 * The entry's session once the service has confirmed it, or its renewal when the service calls it
 * dead (or its lifetime is ending). Concurrent callers share the check and the renewal.
 */
export async function confirmedSession(
	service: ServiceDescription,
	connection: Connection,
	entry: CacheEntry,
	helpers: RequestHelpers,
): Promise<TokenSet> {
	const token = entry.token;
	if (!token) return await renew(service, connection, entry, helpers, { mode: 'refreshOrLogin' });
	const verdict = await liveness(service.protocol, connection, helpers, token.accessToken, service.label, entry, true);
	if (entry.renewal) return await entry.renewal;
	const current = entry.token;
	// Another caller replaced it meanwhile, or the check confirmed it (and updated its lifetime).
	if (current && current.accessToken !== token.accessToken && !needsRenewal(current)) return current;
	if (verdict === 'alive' && current && !needsRenewal(current)) return current;
	if ((verdict === 'unknown' || verdict === 'unsupported') && current && !isExpired(current)) {
		// The service could not say this time: the session is sent, and asked about after the interval.
		entry.token = { ...current, checkedAt: Date.now() };
		return entry.token;
	}
	return await renew(service, connection, entry, helpers, {
		mode: 'refreshOrLogin',
		replacing: verdict === 'dead' ? token : undefined,
	});
}
