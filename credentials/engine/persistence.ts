import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { optionalText } from './fields';
import type { PersistedToken, TokenSet } from './types';

/** Stored in `sessionToken` for a fixed token (pasted token, API key), which is sent from its own field. */
export const FIXED_TOKEN_MARKER = 'pasted-access-token';

function time(credentials: ICredentialDataDecryptedObject, field: string): number | null {
	const parsed = Date.parse(optionalText(credentials, field));
	return Number.isNaN(parsed) ? null : parsed;
}

/**
 * The token n8n stored with the credential, as a TokenSet. A token issued to another identity (the
 * user changed the password or user since) is not this credential's: it is never sent or refreshed.
 */
export function storedToken(credentials: ICredentialDataDecryptedObject, key: string): TokenSet | undefined {
	const accessToken = optionalText(credentials, 'sessionToken');
	if (!accessToken || accessToken === FIXED_TOKEN_MARKER) return undefined;
	const owner = optionalText(credentials, 'tokenOwner');
	if (owner && owner !== key) return undefined;
	// No owner recorded (a token imported by hand): usable, but its refresh token is not trusted.
	const ownToken = owner === key;
	const expiresAt = time(credentials, 'expiresAt');
	return {
		accessToken,
		refreshToken: ownToken ? optionalText(credentials, 'refreshToken') || undefined : undefined,
		tokenType: 'Bearer',
		expiresAt,
		// Unknown for a hand-made token: 0 ranks it below any token this process knows the age of.
		issuedAt: time(credentials, 'issuedAt') ?? 0,
	};
}

/** What n8n persists with the credential: the hidden fields of TOKEN_FIELDS. */
export function persisted(token: TokenSet, key: string): PersistedToken {
	return {
		sessionToken: token.accessToken,
		refreshToken: token.refreshToken ?? '',
		expiresAt: token.expiresAt === null ? '' : new Date(token.expiresAt).toISOString(),
		issuedAt: new Date(token.issuedAt).toISOString(),
		tokenOwner: key,
	};
}

export const FIXED_TOKEN_PERSISTED: PersistedToken = {
	sessionToken: FIXED_TOKEN_MARKER,
	refreshToken: '',
	expiresAt: '',
	issuedAt: '',
	tokenOwner: '',
};
