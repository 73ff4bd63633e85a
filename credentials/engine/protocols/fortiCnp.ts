import { fromEpochMillis } from '../expiry';
import { failure, isSuccess, readToken } from '../responses';
import type { Protocol } from '../types';

/**
 * The auth service FortiCASB and FortiCWP share (FortiCNP lineage): form-encoded grants, a Basic
 * "API credential" grant, a refresh that returns no new refresh token, `expires` in epoch ms, and
 * no revoke call.
 */
export const fortiCnp: Protocol = {
	async login(call, connection, service) {
		const response =
			connection.grant === 'apiCredential'
				? await call({
						method: 'POST',
						url: `${connection.baseUrl}/api/v1/auth/credentials/token/`,
						// The credential generated in the product goes in as is, not base64(user:pass).
						headers: { Authorization: `Basic ${connection.apiCredential ?? ''}` },
						body: { grant_type: 'client_credentials' },
						form: true,
					})
				: await call({
						method: 'POST',
						url: `${connection.baseUrl}/api/v1/auth/token`,
						body: {
							grant_type: 'password',
							username: connection.username ?? '',
							password: connection.password ?? '',
						},
						form: true,
					});
		if (!isSuccess(response)) throw failure(response, service, 'login');
		return readToken(response, service, { expiryField: 'expires', parseExpiry: fromEpochMillis });
	},

	async refresh(call, connection, refreshToken, service) {
		const response = await call({
			method: 'POST',
			url: `${connection.baseUrl}/api/v1/auth/token/refresh`,
			body: { grant_type: 'refresh_token', refresh_token: refreshToken },
			form: true,
		});
		if (!isSuccess(response)) throw failure(response, service, 'refresh');
		return readToken(response, service, {
			expiryField: 'expires',
			parseExpiry: fromEpochMillis,
			previousRefreshToken: refreshToken,
		});
	},
};
