import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authenticate, fortiCasb, preAuthenticate, TOKEN_FIELDS } from './engine';

/** FortiCASB (shared FortiCASB/FortiCWP auth service): user and password, or an API credential from the product. */
export class FortiCasbApi implements ICredentialType {
	name = 'fortiCasbApi';

	displayName = 'FortiCASB API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#forticasb-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'API Credential', value: 'apiCredential', description: 'A credential generated in FortiCASB (sent as Basic)' },
				{ name: 'Username and Password', value: 'password' },
			],
			default: 'password',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { authMethod: ['password'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authMethod: ['password'] } },
		},
		// The whole Basic credential: a secret.
		{
			displayName: 'API Credential',
			name: 'apiSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The credential generated in FortiCASB, used as is after "Basic "',
			displayOptions: { show: { authMethod: ['apiCredential'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://www.forticasb.com',
			description: 'https://www.forticasb.com, or https://eu.forticasb.com for accounts on the EU site',
		},
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiCasb, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiCasb, credentials, requestOptions);
}
