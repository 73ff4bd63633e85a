import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { apiUserFields, authUrlField } from './common/descriptions';
import { authenticate, fortiCloudIam, preAuthenticate, TOKEN_FIELDS } from './engine';

/** Any other FortiCloud IAM service: the Service picks the client_id (case differs per service). */
export class FortiCloudIamApi implements ICredentialType {
	name = 'fortiCloudIamApi';

	displayName = 'FortiCloud IAM API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#forticloud-iam-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Service',
			name: 'service',
			type: 'options',
			options: [
				{ name: 'Asset Management (FortiCare)', value: 'assetManagement', description: 'client_id assetmanagement' },
				{ name: 'Custom Client ID', value: 'custom' },
				{ name: 'FortiEdge Cloud', value: 'fortiEdgeCloud', description: 'client_id fortiedgecloud' },
				{ name: 'FortiFlex', value: 'fortiFlex', description: 'client_id flexvm' },
				{ name: 'FortiGate Cloud', value: 'fortiGateCloud', description: 'client_id fortigatecloud' },
				{ name: 'FortiZTP', value: 'fortiZtp', description: 'client_id fortiztp' },
				{ name: 'IAM', value: 'iam', description: 'client_id iam' },
				{ name: 'Organization', value: 'organization', description: 'client_id organization' },
			],
			default: 'fortiFlex',
			// FortiManager Cloud and FortiAnalyzer Cloud are left out on purpose: their APIs want a
			// JSON-RPC session on top of the IAM token, which only their own credentials keep.
			description:
				'The FortiCloud service the token is for. FortiSASE, FortiLAN Cloud, FortiManager Cloud and FortiAnalyzer Cloud have their own credentials: use those.',
		},
		{
			displayName: 'Custom Client ID',
			name: 'customClientId',
			type: 'string',
			default: '',
			required: true,
			description: 'The FortiCloud IAM client_id, exactly as the service documents it',
			displayOptions: { show: { service: ['custom'] } },
		},
		...apiUserFields(),
		authUrlField(),
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiCloudIam, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiCloudIam, credentials, requestOptions);
}
