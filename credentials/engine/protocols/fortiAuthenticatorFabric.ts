import { fromExpiresIn } from '../expiry';
import { failure, isSuccess, readToken } from '../responses';
import type { Protocol } from '../types';

/**
 * FortiAuthenticator's fabric endpoint: one URL for login and refresh, `expires_in: 0` (never
 * expires), no revoke call. Appliances usually have self-signed certificates.
 */
export const fortiAuthenticatorFabric: Protocol = {
	// No documented call checks a fabric token: the engine judges failures without one.
	family: 'fortiauthenticator-fabric',

	async login(call, connection, service) {
		const response = await call({
			method: 'POST',
			url: `${connection.baseUrl}/api/fabric/authenticate`,
			body: { username: connection.username ?? '', password: connection.password ?? '' },
			secrets: [connection.password],
		});
		if (!isSuccess(response)) throw failure(response, service, 'login');
		return readToken(response, service, { expiryField: 'expires_in', parseExpiry: fromExpiresIn });
	},

	async refresh(call, connection, refreshToken, service) {
		const response = await call({
			method: 'POST',
			url: `${connection.baseUrl}/api/fabric/authenticate`,
			body: { grant_type: 'refresh_token', refresh_token: refreshToken },
			secrets: [refreshToken],
		});
		if (!isSuccess(response)) throw failure(response, service, 'refresh');
		return readToken(response, service, {
			expiryField: 'expires_in',
			parseExpiry: fromExpiresIn,
			previousRefreshToken: refreshToken,
		});
	},
};
