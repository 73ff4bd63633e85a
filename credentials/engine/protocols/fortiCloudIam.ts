import { fromExpiresIn } from '../expiry';
import { failure, isSuccess, readToken } from '../responses';
import type { Protocol } from '../types';

/**
 * FortiCloud IAM (customerapiauth): JSON password and refresh grants on one URL, and a revoke call.
 * One active token per API user and client_id: every login or refresh kills the previous token.
 */
export const fortiCloudIam: Protocol = {
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
		});
		if (!isSuccess(response)) throw failure(response, service, 'login', connection.clientId);
		return readToken(response, service, { expiryField: 'expires_in', parseExpiry: fromExpiresIn });
	},

	async refresh(call, connection, refreshToken, service) {
		const response = await call({
			method: 'POST',
			url: `${connection.baseUrl}/api/v1/oauth/token/`,
			body: { client_id: connection.clientId ?? '', grant_type: 'refresh_token', refresh_token: refreshToken },
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
		// 200 whether or not a token was deleted: revoking is idempotent.
		const response = await call({
			method: 'POST',
			url: `${connection.baseUrl}/api/v1/oauth/revoke_token/`,
			body: { client_id: connection.clientId ?? '', token },
		});
		if (!isSuccess(response)) throw failure(response, service, 'revoke', connection.clientId);
	},
};
