/**
 * The two hooks n8n calls on a credential, and the life of one request through them.
 *
 * 1. n8n loads the credential for the request (its stored token may be older than this process's).
 * 2. If the stored token is empty, n8n calls `preAuthentication`: the cached token of this identity
 *    is returned, or one renewal runs for every concurrent caller (single flight).
 * 3. `authenticate` puts the newest token this process knows on the request (renewing it first
 *    when it is about to expire), records which token that was, and turns off redirects.
 * 4. If the request fails — for any reason, a 404 included — the HTTP Request node calls
 *    `preAuthentication` again with the same credentials object, then resends once. The hook
 *    judges the token that request carried: already replaced → the newer one is returned; still
 *    current → the service is asked whether it is alive (alive → returned as is, so the user sees
 *    the API's own error; dead → one shared renewal).
 * 5. What `preAuthentication` returns n8n persists with the credential: other processes and
 *    restarts start from it (n8n loads the credential afresh for every request). Other processes
 *    are not asked: a dead token one of them may already have replaced is renewed only after a
 *    short wait for that newer stored token (see `peerWaitMs`).
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { tokenError, settle } from './errors';
import { persisted, STATIC_TOKEN_MARKER, STATIC_TOKEN_PERSISTED, storedToken } from './persistence';
import { adoptStored, afterRevocation, isDeadAfterFailure, isExpired, liveness, needsRenewal, renew } from './renewal';
import { VERIFIED_TLS } from './fields';
import { isIntendedHost, jsonRpcBody, targetOf, withBearer, withoutToken, withSession, withTls } from './requestOptions';
import { confirmedSession, isSessionService, isUsable } from './sessions';
import { cache, carriedToken, keptHelpers, recordCarried, resolve, using, withEntry } from './state';
import type { CacheEntry } from './cache';
import type { Connection, PersistedToken, RequestHelpers, ServiceDescription, StaticToken, TokenSet } from './types';

/**
 * A pasted token that a request carried and that failed: asked at its token service when it can
 * be; only a token the service calls dead is reported as expired. Otherwise the resend shows the
 * API's own answer.
 */
async function judgePastedToken(
	service: ServiceDescription,
	pasted: StaticToken,
	carried: string,
	helpers: RequestHelpers,
): Promise<PersistedToken> {
	const failed = carried === pasted.staticToken || carried === STATIC_TOKEN_MARKER;
	if (!failed || !pasted.protocol || !pasted.checkedAt) return STATIC_TOKEN_PERSISTED;
	const verdict = await liveness(pasted.protocol, pasted.checkedAt, helpers, pasted.staticToken, service.label);
	if (verdict === 'dead') {
		throw tokenError('expiredToken', service.expiredStaticTokenHint ?? `${service.label} rejected the access token.`, 401);
	}
	return STATIC_TOKEN_PERSISTED;
}

/**
 * `preAuthentication`: n8n calls it with an empty token on first use, after any failed request
 * (step 4 above) and on some versions' Test button. Only when the token the request carried is
 * the current one, and the service does not vouch for it, does one renewal run.
 */
export async function preAuthenticate(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<PersistedToken> {
	const resolved = resolve(service, credentials);
	const carried = carriedToken(credentials);
	if (resolved.staticToken !== undefined) return await judgePastedToken(service, resolved, carried, helpers);
	const { connection, key } = resolved;
	return await withEntry(key, helpers, async (entry) => {
		await afterRevocation(entry);
		// A newer token another process stored also answers a renewal of this process that waits for one.
		const stored = storedToken(credentials, key);
		adoptStored(entry, stored);
		if (entry.renewal) return persisted(await entry.renewal, key);
		const current = entry.token;
		// A session due for confirmation: asked about first (an HTTP 200 answer hides a dead one).
		if (current && isSessionService(service) && !isUsable(service, connection, current)) {
			return persisted(await confirmedSession(service, connection, entry, helpers), key);
		}
		let unexplained = false;
		let replacing: TokenSet | undefined;
		if (current && !needsRenewal(current)) {
			if (current.accessToken !== carried) return persisted(current, key);
			const judged = await isDeadAfterFailure(service, connection, entry, helpers, current);
			// Another caller may have renewed (or revoked) while the service was asked.
			if (entry.renewal) return persisted(await entry.renewal, key);
			if (entry.token && entry.token.accessToken !== current.accessToken) return persisted(entry.token, key);
			if (!judged.dead && entry.token) return persisted(entry.token, key);
			unexplained = judged.unexplained;
			replacing = current;
		}
		const token = await renew(service, connection, entry, helpers, {
			mode: 'refreshOrLogin',
			storedRefreshToken: stored?.refreshToken,
			afterUnexplainedFailure: unexplained,
			replacing,
		});
		return persisted(token, key);
	});
}

/**
 * A token about to expire is renewed before it is sent, with the request functions of an earlier
 * caller when n8n still holds them. A renewal that failed while the token is still valid is not
 * retried by every request: the token is sent and the service has the last word.
 */
async function renewedAhead(
	service: ServiceDescription,
	connection: Connection,
	entry: CacheEntry,
	token: TokenSet | undefined,
): Promise<TokenSet | undefined> {
	const helpers = keptHelpers(entry);
	if (!helpers) return token;
	const valid = token !== undefined && !isExpired(token);
	if (valid && entry.earlyRenewalPausedUntil !== undefined && Date.now() < entry.earlyRenewalPausedUntil) return token;
	const renewed = await settle(async () => await renew(service, connection, entry, helpers, { mode: 'refreshOrLogin' }));
	if (renewed.ok) return renewed.value;
	if (token && !isExpired(token)) return token;
	throw renewed.error;
}

/**
 * A session due for confirmation, confirmed (or renewed) with the request functions of an earlier
 * caller; undefined when n8n holds none: the caller then asks n8n to run preAuthentication.
 */
async function confirmedAhead(
	service: ServiceDescription,
	connection: Connection,
	entry: CacheEntry,
): Promise<TokenSet | undefined> {
	const helpers = keptHelpers(entry);
	return helpers ? await confirmedSession(service, connection, entry, helpers) : undefined;
}

/** `authenticate`: runs before every request (step 3 above). */
export async function authenticate(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	request: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const resolved = resolve(service, credentials);
	const ownUrl =
		resolved.staticToken !== undefined
			? (resolved.apiUrl ?? resolved.checkedAt?.baseUrl ?? '')
			: (resolved.connection.apiUrl ?? resolved.connection.baseUrl);
	const target = targetOf(request);
	if (!isIntendedHost(target, ownUrl, service.apiDomains)) {
		// Nothing was sent with a token: a failure of this request is not the token's.
		recordCarried(credentials, '');
		throw tokenError(
			'configuration',
			`The ${service.label} ${isSessionService(service) ? 'session' : 'token'} is only sent to the credential's own URL${service.apiDomains.length ? ` and to ${service.apiDomains.map((d) => `*.${d}`).join(', ')} over HTTPS` : ''}; ` +
				`${target ? target.origin : 'this request'} is ${service.apiDomains.length ? 'neither' : 'not it'}. Check the URL of the request.`,
		);
	}
	if (resolved.staticToken !== undefined) {
		recordCarried(credentials, resolved.staticToken);
		return withTls(withBearer(request, resolved.staticToken), ownUrl, resolved.tls ?? VERIFIED_TLS);
	}
	const { connection, key } = resolved;
	const session = isSessionService(service);
	const rpcBody = session ? jsonRpcBody(request) : undefined;
	if (session && !rpcBody) {
		// Not a JSON-RPC call (a file download, the login page): it goes out without the session.
		recordCarried(credentials, '');
		return withTls(request, ownUrl, connection.tls);
	}
	const stored = storedToken(credentials, key);
	const entry = stored ? cache.obtain(key) : cache.get(key);
	let token: TokenSet | undefined;
	if (entry && !entry.revocation) {
		// A newer stored token (another process renewed) is adopted even while a renewal waits for one.
		adoptStored(entry, stored);
		// The common case, without awaiting anything: a current token that is not about to expire.
		if (!entry.renewal && entry.token && isUsable(service, connection, entry.token)) token = entry.token;
	}
	if (entry && !token) {
		token = await using(entry, async () => {
			await afterRevocation(entry);
			if (entry.renewal) {
				const joined = await settle(async () => await entry.renewal!);
				if (!joined.ok && (!entry.token || isExpired(entry.token))) throw joined.error;
			}
			adoptStored(entry, stored);
			const current = entry.token;
			if (current && isUsable(service, connection, current)) return current;
			return session ? await confirmedAhead(service, connection, entry) : await renewedAhead(service, connection, entry, current);
		});
	}
	if (!token) {
		recordCarried(credentials, '');
		// A JSON-RPC call without a session is answered HTTP 200 (code -11) and never retried: n8n
		// is asked to run preAuthentication (which can log in) and then sends the request.
		if (session) throw tokenError('sessionPending', `The ${service.label} session is confirmed with the service before this request is sent.`);
		return withoutToken(request);
	}
	recordCarried(credentials, token.accessToken);
	const sent = rpcBody ? withSession(request, rpcBody, token.accessToken) : withBearer(request, token.accessToken);
	return withTls(sent, ownUrl, connection.tls);
}
