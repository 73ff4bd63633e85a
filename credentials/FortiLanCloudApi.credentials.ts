import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authenticate, fortiLanCloud, preAuthenticate } from './engine';

/** FortiLAN Cloud API users, through FortiCloud IAM (client_id fortilancloud, 4-hour tokens). */
export class FortiLanCloudApi implements ICredentialType {
	name = 'fortiLanCloudApi';

	displayName = 'FortiLAN Cloud API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortilan-cloud-api';

	properties: INodeProperties[] = [
		{
			displayName: 'API User ID',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description: 'The API ID from the API user credentials downloaded in the FortiCloud IAM portal',
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
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: 'fortilancloud',
			description: 'FortiCloud IAM client_id of FortiLAN Cloud, as in the downloaded credentials',
		},
		// What n8n persists between executions. `sessionToken` is the expirable field n8n watches:
		// empty means "log in", and preAuthentication runs again after a failed request.
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Refresh Token',
			name: 'refreshToken',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
		{ displayName: 'Expires At', name: 'expiresAt', type: 'hidden', default: '' },
		// Hash of the identity the stored refresh token was issued to: a changed password or user
		// never reuses it.
		{
			displayName: 'Token Owner',
			name: 'tokenOwner',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiLanCloud, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiLanCloud, credentials, requestOptions);

	// The login in preAuthentication proves the password (n8n always runs it on Test); revoking a
	// token that does not exist is a documented no-op, so this proves the client_id without side effects.
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL: '={{$credentials.authUrl}}',
			url: '/api/v1/oauth/revoke_token/',
			body: { client_id: '={{$credentials.clientId || "fortilancloud"}}', token: NO_SUCH_TOKEN },
			json: true,
		},
	};
}

// Not a secret: a token that cannot exist, so the revoke call changes nothing.
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
const NO_SUCH_TOKEN = 'n8n-credential-test-no-such-token';
