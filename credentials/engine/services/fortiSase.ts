import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { FORTICLOUD_AUTH_URL } from '../defaults';
import { baseUrl, optionalText, requiredText, VERIFIED_TLS } from '../fields';
import { fortiCloudIam } from '../protocols/fortiCloudIam';
import type { FixedToken, ServiceDescription } from '../types';
import { FORTICLOUD_API_DOMAINS, forticloudIamConnection, iamSecretHint } from './forticloudIamConnection';

/** A pasted one-hour token: sent to the FortiSASE API, checked where it was issued after a failed call. */
function pastedToken(credentials: ICredentialDataDecryptedObject): FixedToken {
	const authUrl = baseUrl(credentials, 'authUrl', 'Auth URL', 'FortiSASE', FORTICLOUD_AUTH_URL);
	return {
		kind: 'pastedToken',
		token: requiredText(credentials, 'accessToken', 'Access Token', 'FortiSASE'),
		url: authUrl,
		tls: VERIFIED_TLS,
		issuer: {
			protocol: fortiCloudIam,
			connection: { baseUrl: authUrl, grant: 'password', clientId: optionalText(credentials, 'clientId') || 'FortiSASE', tls: VERIFIED_TLS },
		},
	};
}

export const fortiSase: ServiceDescription = {
	credentialType: 'fortiSaseApi',
	label: 'FortiSASE',
	protocol: fortiCloudIam,
	apiDomains: FORTICLOUD_API_DOMAINS,
	secretHint: iamSecretHint(),
	expiredPastedTokenHint:
		'FortiSASE rejected the access token: ready-made tokens expire after one hour. Generate a new one ' +
		'(POST /api/v1/oauth/token/ with client_id FortiSASE) or switch Authentication to "API User" so n8n renews tokens itself.',
	connect: (credentials) =>
		optionalText(credentials, 'authMethod') === 'accessToken'
			? pastedToken(credentials)
			: forticloudIamConnection(credentials, 'FortiSASE', optionalText(credentials, 'clientId') || 'FortiSASE'),
};
