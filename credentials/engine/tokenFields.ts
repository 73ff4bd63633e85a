import type { INodeProperties } from 'n8n-workflow';

/**
 * The hidden fields every credential declares for the engine: what n8n persists between executions
 * and restarts (it reads back only declared properties). `sessionToken` is the expirable field n8n
 * watches: empty means "log in", and preAuthentication runs again after a failed request. The
 * names are those of `PersistedToken`.
 */
export const TOKEN_FIELDS: INodeProperties[] = [
	{
		displayName: 'Session Token',
		name: 'sessionToken',
		type: 'hidden',
		typeOptions: { expirable: true, password: true },
		default: '',
	},
	{
		displayName: 'Refresh Token',
		name: 'refreshToken',
		type: 'hidden',
		typeOptions: { password: true },
		default: '',
	},
	{ displayName: 'Expires At', name: 'expiresAt', type: 'hidden', default: '' },
	// When the token was issued: tells two processes which stored token is newer, expiry or not.
	{ displayName: 'Issued At', name: 'issuedAt', type: 'hidden', default: '' },
	// Hash of the identity the stored tokens were issued to: a changed password or user never
	// reuses them.
	{
		displayName: 'Token Owner',
		name: 'tokenOwner',
		type: 'hidden',
		typeOptions: { password: true },
		default: '',
	},
];
