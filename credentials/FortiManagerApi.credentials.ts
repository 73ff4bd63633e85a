import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authenticate, fortiManager, preAuthenticate, TOKEN_FIELDS } from './engine';

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
			description: 'Address of the FortiManager or FortiAnalyzer appliance (requests go to <Base URL>/jsonrpc)',
		},
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'Administrator Login (Session)', value: 'password', description: 'Exec sys/login/user; the session is put into every JSON-RPC body' },
				{ name: 'API Key', value: 'apiKey', description: 'FortiManager 7.2.2 and later: Authorization: Bearer <key>, no session' },
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
		{
			displayName: 'Check Session After (Seconds)',
			name: 'sessionCheckSeconds',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 86400 },
			default: 30,
			description:
				'A session the appliance confirmed longer ago than this is checked (get /sys/session) before it is sent, and renewed if it is gone. 0 checks before every request.',
			displayOptions: { show: { authMethod: ['password'] } },
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSSLIssues',
			type: 'boolean',
			default: false,
			description: 'Whether to connect even if the certificate cannot be verified. Prefer giving the CA certificate below.',
		},
		{
			displayName: 'Trusted CA Certificate',
			name: 'caCertificate',
			type: 'string',
			// Not a secret, but n8n's rules mask certificate fields (as its own credentials do).
			typeOptions: { password: true },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: 'PEM of the CA (or the self-signed certificate) of the appliance, trusted for this credential only',
		},
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
