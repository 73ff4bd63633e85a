import { baseUrl, optionalText, requiredText, VERIFIED_TLS } from '../fields';
import { fortiCloudIam } from '../protocols/fortiCloudIam';
import type { ServiceDescription } from '../types';
import { FORTICLOUD_API_DOMAINS, FORTICLOUD_AUTH_URL, forticloudIamConnection } from './forticloudIamConnection';

export const fortiSase: ServiceDescription = {
	credentialType: 'fortiSaseApi',
	label: 'FortiSASE',
	protocol: fortiCloudIam,
	apiDomains: FORTICLOUD_API_DOMAINS,
	secretHint: 'the API user ID and password from the credentials file downloaded in the FortiCloud IAM portal',
	expiredStaticTokenHint:
		'FortiSASE rejected the access token: ready-made tokens expire after one hour. Generate a new one ' +
		'(POST /api/v1/oauth/token/ with client_id FortiSASE) or switch Authentication to "API User" so n8n renews tokens itself.',
	connect: (credentials) =>
		optionalText(credentials, 'authMethod') === 'accessToken'
			? {
					staticToken: requiredText(credentials, 'accessToken', 'Access Token', 'FortiSASE'),
					// Where a failed call's token can be checked: the token service that issued it.
					protocol: fortiCloudIam,
					checkedAt: {
						baseUrl: baseUrl(credentials, 'authUrl', 'Auth URL', 'FortiSASE', FORTICLOUD_AUTH_URL),
						grant: 'password',
						clientId: optionalText(credentials, 'clientId') || 'FortiSASE',
						tls: VERIFIED_TLS,
					},
				}
			: forticloudIamConnection(credentials, 'FortiSASE', optionalText(credentials, 'clientId') || 'FortiSASE'),
};
