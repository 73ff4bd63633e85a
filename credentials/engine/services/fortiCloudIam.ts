import { tokenError } from '../errors';
import { optionalText, requiredText } from '../fields';
import { fortiCloudIam as protocol } from '../protocols/fortiCloudIam';
import type { ServiceDescription } from '../types';
import { FORTICLOUD_API_DOMAINS, forticloudIamConnection, iamSecretHint } from './forticloudIamConnection';

/** The `service` option of the credential → FortiCloud IAM client_id (case differs per service). */
export const IAM_CLIENT_IDS: Record<string, string> = {
	fortiFlex: 'flexvm',
	fortiEdgeCloud: 'fortiedgecloud',
	fortiGateCloud: 'fortigatecloud',
	assetManagement: 'assetmanagement',
	fortiZtp: 'fortiztp',
	iam: 'iam',
	organization: 'organization',
};

function clientIdOf(service: string, customClientId: () => string): string {
	if (service === 'custom') return customClientId();
	const clientId = IAM_CLIENT_IDS[service];
	if (!clientId) {
		throw tokenError('configuration', `The FortiCloud IAM credential has an unknown Service "${service}": pick one from the list.`);
	}
	return clientId;
}

export const fortiCloudIam: ServiceDescription = {
	credentialType: 'fortiCloudIamApi',
	label: 'FortiCloud IAM',
	protocol,
	apiDomains: FORTICLOUD_API_DOMAINS,
	secretHint: iamSecretHint(),
	connect: (credentials) =>
		forticloudIamConnection(
			credentials,
			'FortiCloud IAM',
			clientIdOf(optionalText(credentials, 'service') || 'fortiFlex', () =>
				requiredText(credentials, 'customClientId', 'Custom Client ID', 'FortiCloud IAM'),
			),
		),
};
