import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { identityKey, TokenCache } from './cache';
import type { CacheEntry, KeptHelpers } from './cache';
import { assertTokenHostAllowed, optionalText } from './fields';
import { settings } from './settings';
import type { Connection, RequestHelpers, ServiceDescription, StaticToken } from './types';

/**
 * The engine's memory in this n8n process (module state lives as long as the process): one cache
 * entry per identity, shared by every execution and every credential type on that identity.
 */
export const cache = new TokenCache(() => settings.cacheSize);

export type Resolved = (StaticToken & { connection?: undefined }) | { staticToken?: undefined; connection: Connection; key: string };

/**
 * Resolved identities by credentials object: n8n passes one object to every hook call made for one
 * request (and often one execution), so the fields are parsed and the identity hashed once.
 * Weak: gone with the object.
 */
const resolvedCredentials = new WeakMap<ICredentialDataDecryptedObject, { service: ServiceDescription; resolved: Resolved }>();

export function resolve(service: ServiceDescription, credentials: ICredentialDataDecryptedObject): Resolved {
	const known = resolvedCredentials.get(credentials);
	if (known?.service === service) return known.resolved;
	const connection = service.connect(credentials);
	if (!('staticToken' in connection)) {
		assertTokenHostAllowed(credentials, connection.baseUrl, service.label);
		// FortiManager Cloud: the FortiCloud token goes to the instance, to be exchanged for a session.
		if (connection.apiUrl) assertTokenHostAllowed(credentials, connection.apiUrl, service.label);
	}
	const resolved: Resolved =
		'staticToken' in connection ? connection : { connection, key: identityKey(service.protocol, connection) };
	resolvedCredentials.set(credentials, { service, resolved });
	return resolved;
}

/**
 * The access token `authenticate` last put on a request made with this credentials object. n8n
 * hands the same object to `authenticate` and, when that request fails, to `preAuthentication`:
 * this is how the hook judges the token the failed request carried, not the execution's stored
 * copy (which may be older than what the cache sent).
 */
const carriedTokens = new WeakMap<ICredentialDataDecryptedObject, string>();

export function recordCarried(credentials: ICredentialDataDecryptedObject, token: string): void {
	carriedTokens.set(credentials, token);
}

/** The token the failed request carried: recorded by `authenticate`, else the stored one. */
export function carriedToken(credentials: ICredentialDataDecryptedObject): string {
	return carriedTokens.get(credentials) ?? optionalText(credentials, 'sessionToken');
}

/**
 * Remembers the caller's request functions weakly. In n8n the legacy `request` helper (and, in
 * some versions, `httpRequest`) closes over the whole execution — workflow, run data, items — so a
 * strong reference would keep the last execution of every identity alive. Held weakly, they serve
 * renewals ahead of expiry while n8n itself keeps them, and cost nothing after.
 */
export function keepHelpers(entry: CacheEntry, helpers: RequestHelpers): void {
	const kept: KeptHelpers = entry.helpers ?? {};
	if (helpers.httpRequest && kept.httpRequest?.deref() !== helpers.httpRequest) kept.httpRequest = new WeakRef(helpers.httpRequest);
	if (helpers.request && kept.request?.deref() !== helpers.request) kept.request = new WeakRef(helpers.request);
	entry.helpers = kept;
}

/**
 * Runs `work` with the cache entry of an identity, remembering the caller's request functions
 * (weakly). The entry is in use meanwhile: eviction leaves it alone across every await.
 */
export async function withEntry<T>(key: string, helpers: RequestHelpers, work: (entry: CacheEntry) => Promise<T>): Promise<T> {
	const entry = cache.obtain(key);
	keepHelpers(entry, helpers);
	return await using(entry, work);
}

/** Runs `work` with `entry` marked in use: eviction leaves it alone across every await. */
export async function using<T>(entry: CacheEntry, work: (entry: CacheEntry) => Promise<T>): Promise<T> {
	entry.users++;
	try {
		return await work(entry);
	} finally {
		entry.users--;
	}
}

/** The kept request functions still alive, or undefined when there are none. */
export function keptHelpers(entry: CacheEntry): RequestHelpers | undefined {
	const httpRequest = entry.helpers?.httpRequest?.deref();
	const request = entry.helpers?.request?.deref();
	if (!httpRequest && !request) return undefined;
	return { httpRequest, request };
}
