import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { adminFields, applianceUrlField, idleTimeoutField, TLS_FIELDS } from './common/descriptions';
import { authenticate, fortiAdc, preAuthenticate, TOKEN_FIELDS } from './engine';

const WITH_SESSION = { show: { authentication: ['session'] } };

/**
 * FortiADC: an administrator's session (the login's token as Bearer, with its cookie), opened
 * once, kept while in use, logged out; or a REST API key in the APITOKEN header.
 */
export class FortiAdcApi implements ICredentialType {
	name = 'fortiAdcApi';

	displayName = 'FortiADC API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortiadc-api';

	properties: INodeProperties[] = [
		applianceUrlField('FortiADC', 'https://fortiadc.example.com'),
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Administrator Login (Session)', value: 'session', description: 'POST /api/user/login; the session is kept while in use and logged out by n8n' },
				{ name: 'API Key', value: 'apiKey', description: 'A REST API key (FortiADC 7.2+), sent in the APITOKEN header' },
			],
			default: 'session',
		},
		...adminFields('An administrator with REST API access', WITH_SESSION),
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['apiKey'] } },
		},
		idleTimeoutField('config system global: admin-idle-timeout', 30, WITH_SESSION),
		...TLS_FIELDS,
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiAdc, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiAdc, credentials, requestOptions);
}
