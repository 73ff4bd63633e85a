import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { adminFields, applianceUrlField, sessionCheckField, TLS_FIELDS } from './common/descriptions';
import { authenticate, fortiSandbox, preAuthenticate, TOKEN_FIELDS } from './engine';

const WITH_PASSWORD = { show: { authentication: ['password'] } };

/**
 * FortiSandbox (on premises or PaaS): the JSON-RPC session goes into the body of JSON-RPC
 * requests to /jsonrpc, from an administrator's login or a PaaS API token.
 */
export class FortiSandboxApi implements ICredentialType {
	name = 'fortiSandboxApi';

	displayName = 'FortiSandbox API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortisandbox-api';

	properties: INodeProperties[] = [
		applianceUrlField('FortiSandbox', 'https://fortisandbox.example.com'),
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Administrator Login', value: 'password', description: 'exec /sys/login/user' },
				{ name: 'API Token (PaaS)', value: 'token', description: 'A token generated in FortiSandbox PaaS, exchanged for a session' },
			],
			default: 'password',
		},
		...adminFields('An administrator with JSON API access', WITH_PASSWORD),
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['token'] } },
		},
		sessionCheckField('appliance'),
		...TLS_FIELDS,
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiSandbox, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiSandbox, credentials, requestOptions);
}
