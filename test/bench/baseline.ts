/**
 * The baseline the benchmark compares against: credentials written the way n8n's documentation
 * shows a session-token credential ("Credentials files" → preAuthentication): log in with
 * `this.helpers.httpRequest` whenever the expirable token is empty (n8n also calls the hook after a
 * failed request), return `{ sessionToken }`, share nothing between calls, and send
 * `Authorization: Bearer <sessionToken>` generic-style.
 *
 * `authenticate` is a function that does exactly what the generic
 * `{ type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.sessionToken}}' } } }`
 * does, because the test harness (StoredCredential) plays n8n's CredentialsHelper without its
 * expression resolver. For the self-signed FortiAuthenticator the baseline relies on the node's
 * "Ignore SSL Issues" option (rejectUnauthorized: false), as a user of such a credential would.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import type { ServiceCase } from '../support/services';

const COMMON: INodeProperties[] = [
	{ displayName: 'Username', name: 'username', type: 'string', default: '' },
	{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
	{ displayName: 'Session Token', name: 'sessionToken', type: 'hidden', typeOptions: { expirable: true }, default: '' },
];

function trimSlash(url: unknown): string {
	return String(url ?? '').replace(/\/+$/, '');
}

abstract class BaselineCredential implements ICredentialType {
	abstract name: string;
	abstract displayName: string;
	abstract properties: INodeProperties[];

	authenticate = async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> => {
		const options = requestOptions as IHttpRequestOptions & { rejectUnauthorized?: boolean };
		options.headers = { ...options.headers, Authorization: `Bearer ${String(credentials.sessionToken)}` };
		if (credentials.ignoreSSLIssues === true) options.rejectUnauthorized = false;
		return options;
	};
}

/** FortiCloud IAM family (FortiSASE, FortiLAN Cloud, FortiCloud IAM): JSON password grant. */
export class BaselineIamApi extends BaselineCredential {
	name = 'baselineIamApi';
	displayName = 'Baseline FortiCloud IAM API';
	properties: INodeProperties[] = [
		...COMMON,
		{ displayName: 'Auth URL', name: 'authUrl', type: 'string', default: 'https://customerapiauth.fortinet.com' },
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '' },
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { access_token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${trimSlash(credentials.authUrl)}/api/v1/oauth/token/`,
			body: {
				username: credentials.username,
				password: credentials.password,
				client_id: credentials.clientId,
				client_secret: '',
				grant_type: 'password',
			},
			json: true,
		})) as { access_token: string };
		return { sessionToken: access_token };
	}
}

/** FortiCASB / FortiCWP: form password grant, or the Basic API-credential grant. */
export class BaselineCnpApi extends BaselineCredential {
	name = 'baselineCnpApi';
	displayName = 'Baseline FortiCASB/FortiCWP API';
	properties: INodeProperties[] = [
		...COMMON,
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Auth Method', name: 'authMethod', type: 'string', default: 'password' },
		{ displayName: 'API Credential', name: 'apiSecret', type: 'string', typeOptions: { password: true }, default: '' },
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const base = trimSlash(credentials.baseUrl);
		const byCredential = credentials.authMethod === 'apiCredential';
		const { access_token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: byCredential ? `${base}/api/v1/auth/credentials/token/` : `${base}/api/v1/auth/token`,
			headers: {
				'Content-Type': 'application/x-www-form-urlencoded',
				...(byCredential ? { Authorization: `Basic ${String(credentials.apiSecret)}` } : {}),
			},
			body: new URLSearchParams(
				byCredential
					? { grant_type: 'client_credentials' }
					: { grant_type: 'password', username: String(credentials.username), password: String(credentials.password) },
			).toString(),
			json: true,
		})) as { access_token: string };
		return { sessionToken: access_token };
	}
}

/** FortiAuthenticator fabric login (self-signed appliance: "Ignore SSL Issues"). */
export class BaselineFacApi extends BaselineCredential {
	name = 'baselineFacApi';
	displayName = 'Baseline FortiAuthenticator API';
	properties: INodeProperties[] = [
		...COMMON,
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Ignore SSL Issues', name: 'ignoreSSLIssues', type: 'boolean', default: false },
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { access_token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${trimSlash(credentials.baseUrl)}/api/fabric/authenticate`,
			body: { username: credentials.username, password: credentials.password },
			json: true,
			skipSslCertificateValidation: credentials.ignoreSSLIssues === true,
		})) as { access_token: string };
		return { sessionToken: access_token };
	}
}

/** The baseline credential type for one of the six Bearer-token services. */
export function baselineFor(service: ServiceCase): ICredentialType {
	if (service.emulated === 'iam') return new BaselineIamApi();
	if (service.emulated === 'fac') return new BaselineFacApi();
	return new BaselineCnpApi();
}

/**
 * Credential data for the baseline: the same account as ours; the IAM client_id spelled out (ours
 * derives it from the credential type), FortiAuthenticator with "Ignore SSL Issues".
 */
export function baselineData(service: ServiceCase, data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	if (service.emulated === 'iam') return { ...data, clientId: service.lifetimeKey ?? '' };
	return data;
}
