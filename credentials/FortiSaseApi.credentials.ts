import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { apiUserFields, authUrlField } from './common/descriptions';
import { authenticate, fortiSase, preAuthenticate, TOKEN_FIELDS } from './engine';

const WITH_API_USER = { show: { authMethod: ['apiUser'] } };

/** FortiSASE through FortiCloud IAM (client_id FortiSASE), or a ready-made one-hour access token. */
export class FortiSaseApi implements ICredentialType {
	name = 'fortiSaseApi';

	displayName = 'FortiSASE API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortisase-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'API User', value: 'apiUser', description: 'n8n logs in, caches and renews the token' },
				{ name: 'Access Token', value: 'accessToken', description: 'A token you generated; it expires after one hour' },
			],
			default: 'apiUser',
		},
		...apiUserFields(
			'The API user ID from the credentials file downloaded in the FortiCloud IAM portal',
			WITH_API_USER,
		),
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A token from POST /api/v1/oauth/token/ with client_id FortiSASE; valid for one hour',
			displayOptions: { show: { authMethod: ['accessToken'] } },
		},
		authUrlField('FortiCloud IAM token service (with a pasted token: where n8n checks it after a failed request)'),
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: 'FortiSASE',
			description: 'FortiCloud IAM client_id of FortiSASE (case matters)',
			displayOptions: WITH_API_USER,
		},
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiSase, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiSase, credentials, requestOptions);
}
