import { baseUrl, requiredText, tlsFrom } from '../fields';
import { fortiAuthenticatorFabric } from '../protocols/fortiAuthenticatorFabric';
import type { ServiceDescription } from '../types';

export const fortiAuthenticator: ServiceDescription = {
	credentialType: 'fortiAuthenticatorApi',
	label: 'FortiAuthenticator',
	protocol: fortiAuthenticatorFabric,
	apiDomains: [],
	secretHint:
		"the administrator's Username and Password (an e-mail style username may need its realm: user@name.com@realm; the user must not require MFA)",
	noRevokeReason: 'FortiAuthenticator has no token revoke call: fabric tokens stay valid until the administrator deletes them',
	connect: (credentials) => ({
		baseUrl: baseUrl(credentials, 'baseUrl', 'Base URL', 'FortiAuthenticator'),
		grant: 'password',
		username: requiredText(credentials, 'username', 'Username', 'FortiAuthenticator'),
		password: requiredText(credentials, 'password', 'Password', 'FortiAuthenticator'),
		tls: tlsFrom(credentials),
	}),
};
