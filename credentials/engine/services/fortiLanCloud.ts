import { optionalText } from '../fields';
import { fortiCloudIam } from '../protocols/fortiCloudIam';
import type { ServiceDescription } from '../types';
import { FORTICLOUD_API_DOMAINS, forticloudIamConnection } from './forticloudIamConnection';

export const fortiLanCloud: ServiceDescription = {
	credentialType: 'fortiLanCloudApi',
	label: 'FortiLAN Cloud',
	protocol: fortiCloudIam,
	apiDomains: FORTICLOUD_API_DOMAINS,
	secretHint: 'the API User ID and Password (from the API user credentials file downloaded in the FortiCloud IAM portal)',
	connect: (credentials) =>
		forticloudIamConnection(credentials, 'FortiLAN Cloud', optionalText(credentials, 'clientId') || 'fortilancloud'),
};
