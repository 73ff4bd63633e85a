import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { passwordField, TLS_FIELDS } from './common/descriptions';
import { authenticate, fortiAuthenticator, preAuthenticate, TOKEN_FIELDS } from './engine';

/** FortiAuthenticator fabric tokens (never expire); appliances often use self-signed certificates. */
export class FortiAuthenticatorApi implements ICredentialType {
	name = 'fortiAuthenticatorApi';

	displayName = 'FortiAuthenticator API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortiauthenticator-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://fac.example.com',
			description: 'Address of the FortiAuthenticator appliance',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description: 'Administrator with widget read/write permissions and no MFA. An e-mail style name may need its realm: user@name.com@realm.',
		},
		passwordField(),
		...TLS_FIELDS,
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiAuthenticator, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiAuthenticator, credentials, requestOptions);
}
