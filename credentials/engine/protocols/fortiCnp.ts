import { fromEpochMillis } from '../expiry';
import { failure, isSuccess, livenessOf, readToken } from '../responses';
import type { Liveness, Protocol } from '../types';

/**
 * The auth service FortiCASB and FortiCWP share (FortiCNP lineage): form-encoded grants, a Basic
 * "API credential" grant, a refresh that returns no new refresh token, `expires` in epoch ms, and
 * no revoke call.
 */
export const fortiCnp: Protocol = {
	family: 'forticnp',

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
						secrets: [connection.apiCredential],
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
						secrets: [connection.password],
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
			secrets: [refreshToken],
		});
		if (!isSuccess(response)) throw failure(response, service, 'refresh');
		return readToken(response, service, {
			expiryField: 'expires',
			parseExpiry: fromEpochMillis,
			previousRefreshToken: refreshToken,
		});
	},

	// The documented first call of both APIs: 200 with a valid token, 401 without.
	async check(call, connection, token): Promise<Liveness> {
		const response = await call({
			method: 'GET',
			url: `${connection.baseUrl}/api/v1/resourceURLMap`,
			headers: { Authorization: `Bearer ${token}` },
			secrets: [token],
		});
		return livenessOf(response.statusCode);
	},
};
