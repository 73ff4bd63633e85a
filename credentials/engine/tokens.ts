import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { identityKey, isSuperseded, markDead, replaceToken, TokenCache } from './cache';
import type { CacheEntry } from './cache';
import { FortinetTokenError, redact, settle } from './errors';
import { renewalWindow } from './expiry';
import { optionalText } from './fields';
import { settings } from './settings';
import { createAuthCall } from './transport';
import type { Connection, PersistedToken, RequestHelpers, ServiceDescription, TokenSet } from './types';

/**
 * The token engine. n8n gives a credential two hooks and no memory between them, does not
 * deduplicate concurrent `preAuthentication` calls and re-runs it after any failed request; this
 * module is that memory: one cache per n8n process (module state lives as long as the process),
 * one renewal at a time per identity, and the rule that a token is only renewed when the token
 * that failed is still the newest one known.
 */
const cache = new TokenCache(() => settings.cacheSize);

/** Stored in `sessionToken` for a pasted FortiSASE token, which is sent from its own field. */
export const STATIC_TOKEN_MARKER = 'pasted-access-token';

type Resolved =
	| { staticToken: string }
	| { staticToken?: undefined; connection: Connection; key: string };

/**
 * Resolved identities by credentials object. n8n loads a credential once per execution and passes
 * the same object to every hook call of that execution, so parsing the fields and hashing the
 * identity happen once per execution instead of once per request. Weak: gone with the execution.
 */
const resolvedCredentials = new WeakMap<ICredentialDataDecryptedObject, { service: ServiceDescription; resolved: Resolved }>();

function resolve(service: ServiceDescription, credentials: ICredentialDataDecryptedObject): Resolved {
	const known = resolvedCredentials.get(credentials);
	if (known?.service === service) return known.resolved;
	const connection = service.connect(credentials);
	const resolved: Resolved =
		'staticToken' in connection
			? { staticToken: connection.staticToken }
			: { connection, key: identityKey(service.credentialType, connection) };
	resolvedCredentials.set(credentials, { service, resolved });
	return resolved;
}

function needsRenewal(token: TokenSet, now = Date.now()): boolean {
	if (token.expiresAt === null) return false;
	return now >= token.expiresAt - renewalWindow(token.issuedAt, token.expiresAt, settings.maxSkewMs);
}

function isExpired(token: TokenSet, now = Date.now()): boolean {
	return token.expiresAt !== null && now >= token.expiresAt;
}

/**
 * The token n8n stored with the credential, as a TokenSet. A token issued to another identity (the
 * user changed the password or user since) is not this credential's: it is never sent or refreshed.
 */
function storedToken(credentials: ICredentialDataDecryptedObject, key: string): TokenSet | undefined {
	const accessToken = optionalText(credentials, 'sessionToken');
	if (!accessToken || accessToken === STATIC_TOKEN_MARKER) return undefined;
	const owner = optionalText(credentials, 'tokenOwner');
	if (owner && owner !== key) return undefined;
	// No owner recorded (a token imported by hand): usable, but its refresh token is not trusted.
	const ownToken = owner === key;
	const expiresAt = Date.parse(optionalText(credentials, 'expiresAt'));
	return {
		accessToken,
		refreshToken: ownToken ? optionalText(credentials, 'refreshToken') || undefined : undefined,
		tokenType: 'Bearer',
		expiresAt: Number.isNaN(expiresAt) ? null : expiresAt,
		// Unknown; "now" keeps the renewal window within the remaining lifetime.
		issuedAt: Number.isNaN(expiresAt) ? Date.now() : Math.min(Date.now(), expiresAt),
	};
}

function persisted(token: TokenSet, key: string): PersistedToken {
	return {
		sessionToken: token.accessToken,
		refreshToken: token.refreshToken ?? '',
		expiresAt: token.expiresAt === null ? '' : new Date(token.expiresAt).toISOString(),
		tokenOwner: key,
	};
}

/** Strips every secret the engine holds for this identity from an error before anyone sees it. */
function scrubbed(error: unknown, connection: Connection, entry: CacheEntry, service: ServiceDescription): FortinetTokenError {
	const secrets = [connection.password, connection.apiCredential, entry.token?.accessToken, entry.token?.refreshToken];
	if (error instanceof FortinetTokenError) {
		return new FortinetTokenError(
			error.kind,
			redact(error.message, secrets),
			error.serviceStatus,
			error.description && redact(error.description, secrets),
			error.retryAfterMs,
		);
	}
	return new FortinetTokenError('serviceError', `${service.label}: the token request failed unexpectedly.`);
}

type RenewalMode = 'refreshOrLogin' | 'login';

/** Starts (or joins) the one renewal of this identity: refresh grant first, password grant as fallback. */
function renew(
	service: ServiceDescription,
	connection: Connection,
	entry: CacheEntry,
	helpers: RequestHelpers,
	mode: RenewalMode,
	fallbackRefreshToken?: string,
): Promise<TokenSet> {
	if (entry.inflight) return entry.inflight;
	const call = createAuthCall(helpers, connection.tls, service.label);
	const { protocol } = service;
	const run = async (): Promise<TokenSet> => {
		if (entry.refused && Date.now() < entry.refused.until) throw entry.refused.error;
		const stored = fallbackRefreshToken && !isSuperseded(entry, fallbackRefreshToken) ? fallbackRefreshToken : undefined;
		const refreshToken = entry.token?.refreshToken ?? stored;
		if (mode === 'refreshOrLogin' && refreshToken && protocol.refresh) {
			const refreshed = await settle(async () => await protocol.refresh!(call, connection, refreshToken, service));
			if (refreshed.ok) return refreshed.value;
			// A refused refresh token falls back to the login grant; a rate limit or an
			// unreachable service would refuse the login just the same.
			const { error } = refreshed;
			if (!(error instanceof FortinetTokenError) || ['rateLimited', 'network', 'tls'].includes(error.kind)) {
				throw error;
			}
			if (entry.token) entry.token = { ...entry.token, refreshToken: undefined };
		}
		return await protocol.login(call, connection, service);
	};
	const renewal = run().then(
		(token) => {
			entry.refused = undefined;
			replaceToken(entry, token);
			return token;
		},
		(error: unknown) => {
			if (error === entry.refused?.error) throw error;
			const clean = scrubbed(error, connection, entry, service);
			if (clean.kind === 'badCredentials' || clean.kind === 'unknownClient') {
				entry.refused = { error: clean, until: Date.now() + settings.refusedLoginMemoryMs };
			} else if (clean.kind === 'rateLimited') {
				// Asking again before the service's Retry-After only prolongs the block.
				entry.refused = { error: clean, until: Date.now() + (clean.retryAfterMs ?? settings.refusedLoginMemoryMs) };
			}
			throw clean;
		},
	);
	entry.inflight = renewal;
	const release = () => {
		if (entry.inflight === renewal) entry.inflight = undefined;
	};
	renewal.then(release, release);
	return renewal;
}

/**
 * The two request functions the engine uses, without the rest of n8n's helper object (whose other
 * members close over the whole execution): what an entry keeps to renew from `authenticate`.
 */
function keptHelpers(helpers: RequestHelpers): RequestHelpers {
	return { httpRequest: helpers.httpRequest, request: helpers.request };
}

/** The cache entry of an identity, remembering the helpers of the latest caller that had them. */
function entryWithHelpers(key: string, helpers: RequestHelpers): CacheEntry {
	const entry = cache.obtain(key);
	entry.helpers = keptHelpers(helpers);
	return entry;
}

/**
 * Makes the stored token the entry's current one when this process has none, or when the stored one
 * is newer (expires later): another n8n process, or this one before a restart, renewed it.
 */
function adoptStored(entry: CacheEntry, stored: TokenSet | undefined): void {
	if (!stored || stored.accessToken === entry.token?.accessToken) return;
	if (isSuperseded(entry, stored.accessToken)) return;
	const current = entry.token;
	const newer =
		!current || (stored.expiresAt !== null && current.expiresAt !== null && stored.expiresAt > current.expiresAt);
	if (newer) replaceToken(entry, stored);
}

/**
 * `preAuthentication`: n8n calls it with an empty token on first use, and with the stored token
 * after any failed request (or on the Test button). A newer valid token is returned as is; only
 * when the failed token is the newest known does one renewal run, shared by every waiting caller.
 */
export async function preAuthenticate(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<PersistedToken> {
	const resolved = resolve(service, credentials);
	const failed = optionalText(credentials, 'sessionToken');
	if (resolved.staticToken !== undefined) {
		if (failed === STATIC_TOKEN_MARKER) {
			throw new FortinetTokenError('expiredToken', service.expiredStaticTokenHint ?? `${service.label} rejected the access token.`, 401);
		}
		return { sessionToken: STATIC_TOKEN_MARKER, refreshToken: '', expiresAt: '', tokenOwner: '' };
	}
	const { connection, key } = resolved;
	const entry = entryWithHelpers(key, helpers);
	if (entry.inflight) return persisted(await entry.inflight, key);
	const stored = storedToken(credentials, key);
	adoptStored(entry, stored);
	const current = entry.token;
	if (current && current.accessToken !== failed && !needsRenewal(current)) return persisted(current, key);
	return persisted(await renew(service, connection, entry, helpers, 'refreshOrLogin', stored?.refreshToken), key);
}

/**
 * `authenticate`: runs before every request. Sends the newest token this process knows (the copy an
 * execution loaded at its start may already be dead under the one-active-token rule), renewing it
 * first when it is inside its renewal window and the engine has n8n's helpers for this identity.
 */
export async function authenticate(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	request: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const resolved = resolve(service, credentials);
	if (resolved.staticToken !== undefined) return withBearer(request, resolved.staticToken);
	const { connection, key } = resolved;
	const stored = storedToken(credentials, key);
	const entry = stored ? cache.obtain(key) : cache.get(key);
	if (!entry) return withoutToken(request);
	if (entry.inflight) return withTls(withBearer(request, (await entry.inflight).accessToken), connection);
	adoptStored(entry, stored);
	let token = entry.token;
	if ((!token || needsRenewal(token)) && entry.helpers) {
		const renewed = await settle(async () => await renew(service, connection, entry, entry.helpers!, 'refreshOrLogin'));
		if (renewed.ok) token = renewed.value;
		// A renewal that failed while the token is still valid: send it; the service has the last word.
		else if (!token || isExpired(token)) throw renewed.error;
	}
	if (!token) return withoutToken(request);
	return withTls(withBearer(request, token.accessToken), connection);
}

/**
 * No token for this identity in this process, and no way to log in from here (`authenticate` gets
 * no HTTP helper): the request goes out without credentials, never with an empty or a foreign
 * Bearer. The service's 401 makes n8n run preAuthentication (which logs in) and retry, in the HTTP
 * Request node and on the credential Test button alike.
 */
function withoutToken(request: IHttpRequestOptions): IHttpRequestOptions {
	if (request.headers) {
		for (const name of Object.keys(request.headers)) {
			if (name.toLowerCase() === 'authorization') delete request.headers[name];
		}
	}
	return request;
}

function withBearer(request: IHttpRequestOptions, token: string): IHttpRequestOptions {
	request.headers = { ...request.headers, Authorization: `Bearer ${token}` };
	return request;
}

/** Applies the credential's TLS choice to requests to its own host only. */
function withTls(request: IHttpRequestOptions, connection: Connection): IHttpRequestOptions {
	const { tls } = connection;
	if (!tls.skipVerification && !tls.ca) return request;
	// The HTTP Request node's legacy options name the URL `uri`; httpRequest options name it `url`.
	const url = String(request.url ?? (request as { uri?: unknown }).uri ?? '');
	const target = url.startsWith('http') ? url : `${request.baseURL ?? ''}${url}`;
	let sameHost = false;
	try {
		sameHost = new URL(target).origin === new URL(connection.baseUrl).origin;
	} catch {
		sameHost = false;
	}
	if (!sameHost) return request;
	// The HTTP Request node sends legacy request options (rejectUnauthorized, agentOptions).
	const legacy = request as IHttpRequestOptions & { rejectUnauthorized?: boolean; agentOptions?: Record<string, unknown> };
	if (tls.skipVerification) {
		legacy.skipSslCertificateValidation = true;
		legacy.rejectUnauthorized = false;
	}
	if (tls.ca) legacy.agentOptions = { ...legacy.agentOptions, ca: tls.ca };
	return legacy;
}

export interface ObtainedToken {
	token: TokenSet;
	/** True when no call to the service was needed. */
	fromCache: boolean;
}

/** The current token for the node's Get operation (the same one the credential layer uses). */
export async function getToken(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
	options: { forceNewLogin?: boolean } = {},
): Promise<ObtainedToken> {
	const resolved = resolve(service, credentials);
	if (resolved.staticToken !== undefined) {
		return { token: { accessToken: resolved.staticToken, tokenType: 'Bearer', expiresAt: null, issuedAt: Date.now() }, fromCache: true };
	}
	const { connection, key } = resolved;
	const entry = entryWithHelpers(key, helpers);
	const stored = storedToken(credentials, key);
	if (!options.forceNewLogin) {
		if (entry.inflight) return { token: await entry.inflight, fromCache: true };
		adoptStored(entry, stored);
		if (entry.token && !needsRenewal(entry.token)) return { token: entry.token, fromCache: true };
	} else {
		if (entry.inflight) await entry.inflight.catch(() => undefined);
		adoptStored(entry, stored);
	}
	const mode: RenewalMode = options.forceNewLogin ? 'login' : 'refreshOrLogin';
	return { token: await renew(service, connection, entry, helpers, mode, stored?.refreshToken), fromCache: false };
}

/** Refresh grant now (falling back to a login); the new token replaces the cached one. */
export async function refreshToken(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<TokenSet> {
	const resolved = resolve(service, credentials);
	if (resolved.staticToken !== undefined) {
		throw new FortinetTokenError(
			'configuration',
			`A pasted ${service.label} access token cannot be refreshed: switch Authentication to "API User" to let n8n renew tokens.`,
		);
	}
	const { connection, key } = resolved;
	const entry = entryWithHelpers(key, helpers);
	if (entry.inflight) return await entry.inflight;
	const stored = storedToken(credentials, key);
	adoptStored(entry, stored);
	return await renew(service, connection, entry, helpers, 'refreshOrLogin', stored?.refreshToken);
}

export interface RevokeResult {
	/** The service confirmed the revocation (FortiCloud IAM); false where there is no revoke call. */
	revokedAtService: boolean;
	/** A token was known (cached or stored) for this identity. */
	hadToken: boolean;
	message: string;
}

/** Revokes at the service where it can, and drops the token so the next use logs in again. */
export async function revokeToken(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<RevokeResult> {
	const resolved = resolve(service, credentials);
	if (resolved.staticToken !== undefined) {
		return {
			revokedAtService: false,
			hadToken: true,
			message: `A pasted ${service.label} access token is not revoked by n8n; it expires by itself within an hour.`,
		};
	}
	const { connection, key } = resolved;
	const entry = entryWithHelpers(key, helpers);
	if (entry.inflight) await entry.inflight.catch(() => undefined);
	adoptStored(entry, storedToken(credentials, key));
	const token = entry.token;
	let revokedAtService = false;
	if (token && service.protocol.revoke) {
		const revoke = service.protocol.revoke;
		const call = createAuthCall(helpers, connection.tls, service.label);
		// Both halves of the session: a surviving refresh token would still mint access tokens.
		for (const secret of [token.accessToken, token.refreshToken]) {
			if (!secret) continue;
			const revoked = await settle(async () => await revoke(call, connection, secret, service));
			if (!revoked.ok) throw scrubbed(revoked.error, connection, entry, service);
		}
		revokedAtService = true;
	}
	// A copy of the refresh token may still be stored in the credential: never try it.
	if (token?.refreshToken) markDead(entry, token.refreshToken);
	replaceToken(entry, undefined);
	const message = !token
		? `No ${service.label} token was held for this credential; nothing to revoke.`
		: revokedAtService
			? `The ${service.label} token was revoked and dropped from n8n's cache; the next request logs in again.`
			: `${service.noRevokeReason ?? `${service.label} has no revoke call`}. The token was dropped from n8n's cache; the next request logs in again.`;
	return { revokedAtService, hadToken: token !== undefined, message };
}

/** For tests and benchmarks: forget every cached token. */
export function clearTokenCache(): void {
	cache.clear();
}

export function tokenCacheSize(): number {
	return cache.size;
}

/** For tests and benchmarks: the cache's keys and entries, as they are held in memory. */
export function tokenCacheSnapshot(): Array<[string, Readonly<CacheEntry>]> {
	return cache.snapshot();
}
