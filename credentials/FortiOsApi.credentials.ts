import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { passwordField, TLS_FIELDS } from './common/descriptions';
import { authenticate, fortiOs, preAuthenticate, TOKEN_FIELDS } from './engine';

const WITH_SESSION = { show: { authentication: ['session'] } };

/**
 * A FortiGate's REST API: a REST API administrator's key as an Authorization: Bearer header (never
 * in the URL, which FortiOS 7.4.5+ refuses), or an administrator's login session, kept alive and
 * logged out, with its CSRF token on writes.
 */
export class FortiOsApi implements ICredentialType {
	name = 'fortiOsApi';

	displayName = 'FortiGate (FortiOS) API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortigate-fortios-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://fortigate.example.com',
			description: "Address of the FortiGate's administrative HTTPS interface, with its port if not 443",
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'API Key', value: 'apiKey', description: "A REST API administrator's key, sent as an Authorization: Bearer header" },
				{ name: 'Administrator Login (Session)', value: 'session', description: 'POST /api/v2/authentication; the session is kept alive and logged out by n8n' },
			],
			default: 'apiKey',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: "Key of a REST API administrator (System > Administrators); n8n's address must be among its trusted hosts",
			displayOptions: { show: { authentication: ['apiKey'] } },
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description: 'Administrator without two-factor authentication',
			displayOptions: WITH_SESSION,
		},
		passwordField(WITH_SESSION),
		{
			displayName: 'Default VDOM',
			name: 'vdom',
			type: 'string',
			default: '',
			placeholder: 'root',
			description: 'VDOM added as ?vdom= to requests that name none; empty leaves the choice to the FortiGate',
		},
		...TLS_FIELDS,
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiOs, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiOs, credentials, requestOptions);
}
