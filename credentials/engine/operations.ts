/**
 * What the Fortinet Token node and the credential Test do with a credential, through the same cache
 * and single flight as the hooks: the token seen here is the one the HTTP Request node sends.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { markDead, replaceToken } from './cache';
import { tokenError, isTokenError, settle } from './errors';
import { storedToken } from './persistence';
import { adoptStored, afterRevocation, isDeadAfterFailure, liveness, needsRenewal, renew, scrubbed } from './renewal';
import { confirmedSession, isSessionService, isUsable } from './sessions';
import { resolve, withEntry } from './state';
import { createAuthCall } from './transport';
import type { RequestHelpers, ServiceDescription, TokenSet } from './types';

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
	const obtained = await withEntry(key, helpers, async (entry): Promise<ObtainedToken> => {
		await afterRevocation(entry);
		const stored = storedToken(credentials, key);
		if (!options.forceNewLogin) {
			if (entry.renewal) return { token: await entry.renewal, fromCache: true };
			adoptStored(entry, stored);
			if (entry.token && isUsable(service, connection, entry.token)) return { token: entry.token, fromCache: true };
			if (entry.token && isSessionService(service)) {
				const before = entry.token.accessToken;
				const confirmed = await confirmedSession(service, connection, entry, helpers);
				return { token: confirmed, fromCache: confirmed.accessToken === before };
			}
			return { token: await renew(service, connection, entry, helpers, { mode: 'refreshOrLogin', storedRefreshToken: stored?.refreshToken }), fromCache: false };
		}
		if (entry.renewal) await entry.renewal.catch(() => undefined);
		adoptStored(entry, stored);
		// The user asked for a login: a remembered refusal or 429 does not stand in the way.
		return { token: await renew(service, connection, entry, helpers, { mode: 'login', ignoreRefused: true }), fromCache: false };
	});
	return { ...obtained, token: asSession(service, obtained.token) };
}

/** A session read back from the stored credential is typed like one the protocol issued. */
function asSession(service: ServiceDescription, token: TokenSet): TokenSet {
	return isSessionService(service) ? { ...token, tokenType: 'session' } : token;
}

/** Refresh grant now (falling back to a login); the new token replaces the cached one. */
export async function renewToken(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<TokenSet> {
	const resolved = resolve(service, credentials);
	if (resolved.staticToken !== undefined) {
		throw tokenError(
			'configuration',
			resolved.apiKey
				? `A ${service.label} API key cannot be refreshed: the administrator regenerates it. Switch Authentication to "Administrator Login (Session)" to let n8n manage sessions.`
				: `A pasted ${service.label} access token cannot be refreshed: switch Authentication to "API User" to let n8n renew tokens.`,
		);
	}
	const { connection, key } = resolved;
	return await withEntry(key, helpers, async (entry) => {
		await afterRevocation(entry);
		if (entry.renewal) return await entry.renewal;
		const stored = storedToken(credentials, key);
		adoptStored(entry, stored);
		const replaced = entry.token;
		const token = await renew(service, connection, entry, helpers, { mode: 'refreshOrLogin', storedRefreshToken: stored?.refreshToken });
		// A replaced session would stay open on the appliance until it times out: logged out (best effort).
		const revoke = service.protocol.revoke;
		if (isSessionService(service) && revoke && replaced && replaced.accessToken !== token.accessToken) {
			const call = createAuthCall(helpers, connection.tls, service.label);
			await settle(async () => await revoke(call, connection, { ...replaced, refreshToken: undefined }, service));
		}
		return asSession(service, token);
	});
}

export interface RevokeResult {
	/** The service confirmed the revocation (FortiCloud IAM); false where there is no revoke call. */
	revokedAtService: boolean;
	/** A token was known (cached or stored) for this identity. */
	hadToken: boolean;
	message: string;
}

/**
 * Revokes at the service where it can, and drops the token so the next use logs in again. It joins
 * the single flight: renewals under way finish first and their token is the one revoked; renewals
 * asked for during the revocation start after it.
 */
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
			message: resolved.apiKey
				? `${service.noRevokeReason ?? `A ${service.label} API key is not revoked by n8n`}.`
				: `A pasted ${service.label} access token is not revoked by n8n; it expires by itself within an hour.`,
		};
	}
	const { connection, key } = resolved;
	return await withEntry(key, helpers, async (entry) => {
		for (let busy = entry.renewal ?? entry.revocation; busy; busy = entry.renewal ?? entry.revocation) {
			await busy.catch(() => undefined);
		}
		const run = async (): Promise<RevokeResult> => {
			adoptStored(entry, storedToken(credentials, key));
			const token = entry.token;
			let revokedAtService = false;
			if (token && service.protocol.revoke) {
				const revoke = service.protocol.revoke;
				const call = createAuthCall(helpers, connection.tls, service.label);
				const revoked = await settle(async () => await revoke(call, connection, token, service));
				if (!revoked.ok) throw scrubbed(revoked.error, connection, entry, service);
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
		};
		const revocation = run();
		entry.revocation = revocation;
		const release = () => {
			if (entry.revocation === revocation) entry.revocation = undefined;
		};
		revocation.then(release, release);
		return await revocation;
	});
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/**
 * The credential Test (and n8n's editor runs it as soon as the form opens). A live token of the same
 * identity — same user and same secret — in this process proves the secret without a login;
 * otherwise one renewal runs through the single flight, and its token becomes the current one, so
 * running workflows are never knocked out by a Test's own login.
 */
export async function testCredential(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<CredentialTestResult> {
	const tested = await settle(async (): Promise<string> => {
		const resolved = resolve(service, credentials);
		if (resolved.staticToken !== undefined) {
			if (!resolved.protocol || !resolved.checkedAt) return 'The access token is set.';
			const verdict = await liveness(resolved.protocol, resolved.checkedAt, helpers, resolved.staticToken, service.label);
			if (verdict === 'dead') throw tokenError('expiredToken', service.expiredStaticTokenHint ?? `${service.label} rejected the access token.`);
			return verdict === 'alive' ? 'The access token is valid.' : `The access token is set; ${service.label} could not confirm it here.`;
		}
		const { connection, key } = resolved;
		return await withEntry(key, helpers, async (entry) => {
			await afterRevocation(entry);
			if (entry.renewal) await entry.renewal;
			adoptStored(entry, storedToken(credentials, key));
			const current = entry.token;
			if (current && !needsRenewal(current)) {
				const judged = await isDeadAfterFailure(service, connection, entry, helpers, current);
				if (!judged.dead || judged.unexplained) return `Connection successful: the current ${service.label} token is valid.`;
			}
			await renew(service, connection, entry, helpers, { mode: 'refreshOrLogin' });
			return `Connection successful: ${service.label} issued a token.`;
		});
	});
	if (tested.ok) return { status: 'OK', message: tested.value };
	const error = tested.error;
	return {
		status: 'Error',
		message: isTokenError(error) ? error.message : `${service.label}: the test failed unexpectedly.`,
	};
}
