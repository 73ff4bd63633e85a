import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { FORTICLOUD_AUTH_URL } from '../defaults';
import { baseUrl, requiredText, VERIFIED_TLS } from '../fields';
import type { Connection } from '../types';

/** Where the FortiCloud IAM services' APIs live (FortiSASE portal, *.forticloud.com, support.fortinet.com). */
export const FORTICLOUD_API_DOMAINS = ['fortinet.com', 'forticloud.com', 'fortisase.com'] as const;

/** What to check when FortiCloud IAM refuses an API user; `profile` names what its profile must include. */
export function iamSecretHint(profile?: string): string {
	const where = 'from the API user credentials file downloaded in the FortiCloud IAM portal';
	return `the API User ID and Password (${where}${profile ? `; its permission profile must include ${profile}` : ''})`;
}

/** The API user of a FortiCloud IAM service, as the three IAM-based credentials store it. */
export function forticloudIamConnection(
	credentials: ICredentialDataDecryptedObject,
	label: string,
	clientId: string,
): Connection {
	return {
		baseUrl: baseUrl(credentials, 'authUrl', 'Auth URL', label, FORTICLOUD_AUTH_URL),
		grant: 'password',
		username: requiredText(credentials, 'username', 'API User ID', label),
		password: requiredText(credentials, 'password', 'Password', label),
		clientId,
		tls: VERIFIED_TLS,
	};
}
