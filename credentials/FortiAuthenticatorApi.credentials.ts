import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

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
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
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
		return await preAuthenticate(fortiAuthenticator, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiAuthenticator, credentials, requestOptions);
}
