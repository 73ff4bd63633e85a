import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authenticate, fortiSase, preAuthenticate, TOKEN_FIELDS } from './engine';

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
			description: 'FortiCloud IAM token service (with a pasted token: where n8n checks it after a failed request)',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: 'FortiSASE',
			description: 'FortiCloud IAM client_id of FortiSASE (case matters)',
			displayOptions: { show: { authMethod: ['apiUser'] } },
		},
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiSase, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiSase, credentials, requestOptions);

	// n8n 2.8 runs preAuthentication on Test only when no token is stored, and retries only on a
	// 401, so the test request itself must prove the secret: the smallest call that does is the
	// password grant. (Under the one-active-token rule it also ends the token running workflows
	// hold; they recover with one renewal.) A pasted access token cannot be checked without a
	// FortiSASE API address, so for it only the token service's reachability is checked.
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL: '={{$credentials.authMethod === "accessToken" ? "https://customerapiauth.fortinet.com" : $credentials.authUrl}}',
			url: '={{$credentials.authMethod === "accessToken" ? "/api/v1/oauth/revoke_token/" : "/api/v1/oauth/token/"}}',
			body: {
				username: '={{$credentials.username}}',
				password: '={{$credentials.password}}',
				client_id: '={{$credentials.clientId || "FortiSASE"}}',
				client_secret: '',
				grant_type: 'password',
				token: NO_SUCH_TOKEN,
			},
			json: true,
		},
	};
}

// Not a secret: a token that cannot exist, so the revoke call (pasted-token mode) changes nothing.
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
const NO_SUCH_TOKEN = 'n8n-credential-test-no-such-token';
