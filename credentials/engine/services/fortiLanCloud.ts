import { optionalText } from '../fields';
import { fortiCloudIam } from '../protocols/fortiCloudIam';
import type { ServiceDescription } from '../types';
import { FORTICLOUD_API_DOMAINS, forticloudIamConnection, iamSecretHint } from './forticloudIamConnection';

export const fortiLanCloud: ServiceDescription = {
	credentialType: 'fortiLanCloudApi',
	label: 'FortiLAN Cloud',
	protocol: fortiCloudIam,
	apiDomains: FORTICLOUD_API_DOMAINS,
	secretHint: iamSecretHint(),
	connect: (credentials) =>
		forticloudIamConnection(credentials, 'FortiLAN Cloud', optionalText(credentials, 'clientId') || 'fortilancloud'),
};
