import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authenticate, fortiAnalyzerCloud, preAuthenticate, TOKEN_FIELDS } from './engine';

/** FortiAnalyzer Cloud: a FortiCloud IAM login exchanged at the instance for a JSON-RPC session. */
export class FortiAnalyzerCloudApi implements ICredentialType {
	name = 'fortiAnalyzerCloudApi';

	displayName = 'FortiAnalyzer Cloud API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortianalyzer-cloud-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Instance URL',
			name: 'instanceUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://123456.us-east-1.fortianalyzer.forticloud.com',
			description: 'Address of the FortiAnalyzer Cloud instance (requests go to <Instance URL>/jsonrpc)',
		},
		{
			displayName: 'API User ID',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description: 'The API ID from the API user credentials downloaded in the FortiCloud IAM portal (its permission profile must include FortiAnalyzer Cloud)',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Auth URL',
			name: 'authUrl',
			type: 'string',
			default: 'https://customerapiauth.fortinet.com',
			description: 'FortiCloud IAM token service',
		},
		{
			displayName: 'Check Session After (Seconds)',
			name: 'sessionCheckSeconds',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 86400 },
			default: 30,
			description:
				'A session the instance confirmed longer ago than this is checked (get /sys/session) before it is sent, and renewed if it is gone. 0 checks before every request.',
		},
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiAnalyzerCloud, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiAnalyzerCloud, credentials, requestOptions);
}
