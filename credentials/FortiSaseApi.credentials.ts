import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authenticate, fortiSase, preAuthenticate } from './engine';

/** FortiSASE through FortiCloud IAM (client_id FortiSASE), or a ready-made one-hour access token. */
export class FortiSaseApi implements ICredentialType {
	name = 'fortiSaseApi';

	displayName = 'FortiSASE API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortisase-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'API User', value: 'apiUser', description: 'n8n logs in, caches and renews the token' },
				{ name: 'Access Token', value: 'accessToken', description: 'A token you generated; it expires after one hour' },
			],
			default: 'apiUser',
		},
		{
			displayName: 'API User ID',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description: 'The API user ID from the credentials file downloaded in the FortiCloud IAM portal',
			displayOptions: { show: { authMethod: ['apiUser'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authMethod: ['apiUser'] } },
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A token from POST /api/v1/oauth/token/ with client_id FortiSASE; valid for one hour',
			displayOptions: { show: { authMethod: ['accessToken'] } },
		},
		{
			displayName: 'Auth URL',
			name: 'authUrl',
			type: 'string',
			default: 'https://customerapiauth.fortinet.com',
			description: 'FortiCloud IAM token service',
			displayOptions: { show: { authMethod: ['apiUser'] } },
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: 'FortiSASE',
			description: 'FortiCloud IAM client_id of FortiSASE (case matters)',
			displayOptions: { show: { authMethod: ['apiUser'] } },
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
		return await preAuthenticate(fortiSase, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiSase, credentials, requestOptions);

	// The login in preAuthentication proves the password (n8n always runs it on Test); revoking a
	// token that does not exist is a documented no-op, so this proves the client_id without side effects.
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL: '={{$credentials.authMethod === "accessToken" ? "https://customerapiauth.fortinet.com" : $credentials.authUrl}}',
			url: '/api/v1/oauth/revoke_token/',
			body: { client_id: '={{$credentials.clientId || "FortiSASE"}}', token: NO_SUCH_TOKEN },
			json: true,
		},
	};
}

// Not a secret: a token that cannot exist, so the revoke call changes nothing.
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
const NO_SUCH_TOKEN = 'n8n-credential-test-no-such-token';
