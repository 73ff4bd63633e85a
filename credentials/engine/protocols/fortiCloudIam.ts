import { fromExpiresIn } from '../expiry';
import { failure, isSuccess, livenessOf, readToken } from '../responses';
import type { AuthCall, Connection, Liveness, Protocol, ServiceDescription } from '../types';

/** Revokes one access or refresh token (FortiManager Cloud revokes its IAM refresh token with it). */
export async function revokeIamToken(call: AuthCall, connection: Connection, token: string, service: ServiceDescription): Promise<void> {
	const response = await call({
		method: 'POST',
		url: `${connection.baseUrl}/api/v1/oauth/revoke_token/`,
		body: { client_id: connection.clientId ?? '', token },
		secrets: [token],
	});
	if (!isSuccess(response)) throw failure(response, service, 'revoke', connection.clientId);
}

/**
 * FortiCloud IAM (customerapiauth): JSON password and refresh grants on one URL, and a revoke call.
 * One active token per API user and client_id: every login or refresh kills the previous token.
 */
export const fortiCloudIam: Protocol = {
	family: 'forticloud-iam',

	async login(call, connection, service) {
		const response = await call({
			method: 'POST',
			url: `${connection.baseUrl}/api/v1/oauth/token/`,
			body: {
				username: connection.username ?? '',
				password: connection.password ?? '',
				client_id: connection.clientId ?? '',
				client_secret: '',
				grant_type: 'password',
			},
			secrets: [connection.password],
		});
		if (!isSuccess(response)) throw failure(response, service, 'login', connection.clientId);
		return readToken(response, service, { expiryField: 'expires_in', parseExpiry: fromExpiresIn });
	},

	async refresh(call, connection, refreshToken, service) {
		const response = await call({
			method: 'POST',
			url: `${connection.baseUrl}/api/v1/oauth/token/`,
			body: { client_id: connection.clientId ?? '', grant_type: 'refresh_token', refresh_token: refreshToken },
			secrets: [refreshToken],
		});
		if (!isSuccess(response)) throw failure(response, service, 'refresh', connection.clientId);
		// Whether a new refresh token comes back is undocumented: keep the old one when none does.
		return readToken(response, service, {
			expiryField: 'expires_in',
			parseExpiry: fromExpiresIn,
			previousRefreshToken: refreshToken,
		});
	},

	async revoke(call, connection, token, service) {
		// Both halves: a surviving refresh token would still mint access tokens. 200 whether or not a
		// token was deleted: revoking is idempotent.
		for (const secret of [token.accessToken, token.refreshToken]) {
			if (secret) await revokeIamToken(call, connection, secret, service);
		}
	},

	// customerapiauth is a FortiAuthenticator OAuth server (FortiCloud IAM's docs point to the
	// FortiAuthenticator REST API guide for its token calls), whose verify_token call answers 200
	// for a valid token and 401 otherwise. Inferred, not documented for FortiCloud: any other
	// answer means "cannot tell", and the engine decides without it.
	async check(call, connection, token): Promise<Liveness> {
		const response = await call({
			method: 'GET',
			url: `${connection.baseUrl}/api/v1/oauth/verify_token/?client_id=${encodeURIComponent(connection.clientId ?? '')}`,
			headers: { Authorization: `Bearer ${token}` },
			secrets: [token],
		});
		return livenessOf(response.statusCode);
	},
};
