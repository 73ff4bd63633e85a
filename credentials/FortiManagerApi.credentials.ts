import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { passwordField, sessionCheckField, TLS_FIELDS } from './common/descriptions';
import { authenticate, fortiManager, preAuthenticate, TOKEN_FIELDS } from './engine';

const WITH_PASSWORD = { show: { authMethod: ['password'] } };

/**
 * On-premises FortiManager or FortiAnalyzer: the JSON-RPC session goes into the body of JSON-RPC
 * requests to the appliance, or an API key (FortiManager 7.2.2+) into the Authorization header.
 */
export class FortiManagerApi implements ICredentialType {
	name = 'fortiManagerApi';

	displayName = 'FortiManager / FortiAnalyzer API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortimanager--fortianalyzer-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://fmg.example.com',
			description: 'Address of the FortiManager or FortiAnalyzer appliance (requests go to its /jsonrpc path)',
		},
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'Administrator Login (Session)', value: 'password', description: 'Exec sys/login/user; the session is put into every JSON-RPC body' },
				{ name: 'API Key', value: 'apiKey', description: 'FortiManager 7.2.2 and later: the key is sent as an Authorization: Bearer header, no session' },
			],
			default: 'password',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description: 'Administrator with JSON API access (rpc-permit read or read-write)',
			displayOptions: WITH_PASSWORD,
		},
		passwordField(WITH_PASSWORD),
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Key generated for a REST API administrator',
			displayOptions: { show: { authMethod: ['apiKey'] } },
		},
		sessionCheckField('appliance', WITH_PASSWORD),
		...TLS_FIELDS,
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiManager, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiManager, credentials, requestOptions);
}
