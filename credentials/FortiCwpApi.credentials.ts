import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authenticate, fortiCwp, preAuthenticate, TOKEN_FIELDS } from './engine';

/** FortiCWP (shared FortiCASB/FortiCWP auth service): user and password, or an API credential from the product. */
export class FortiCwpApi implements ICredentialType {
	name = 'fortiCwpApi';

	displayName = 'FortiCWP API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#forticwp-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'API Credential', value: 'apiCredential', description: 'A credential generated in FortiCWP (sent as Basic)' },
				{ name: 'Username and Password', value: 'password' },
			],
			default: 'apiCredential',
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
			description: 'The credential generated in FortiCWP, used as is after "Basic "',
			displayOptions: { show: { authMethod: ['apiCredential'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://www.forticwp.com',
			description: 'https://www.forticwp.com, or https://eu.forticwp.com for accounts on the EU site',
		},
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiCwp, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiCwp, credentials, requestOptions);
}
