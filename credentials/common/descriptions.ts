import type { INodeProperties } from 'n8n-workflow';

import { FORTICLOUD_AUTH_URL, SESSION_CHECK_SECONDS } from '../engine/defaults';
import type { CnpProduct } from '../engine/defaults';

/** The fields several credential forms share, written once; each class lists its own in order. */

type Display = INodeProperties['displayOptions'];

const shown = (displayOptions: Display): Partial<INodeProperties> => (displayOptions ? { displayOptions } : {});

export function passwordField(displayOptions?: Display): INodeProperties {
	return {
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		...shown(displayOptions),
	};
}

/** A FortiCloud IAM API user: its ID (each product's download names it differently) and password. */
/** Where the API User ID comes from; `profile` names what the API user's profile must include. */
export function apiUserIdHint(profile?: string): string {
	const where = 'API ID in the credentials file downloaded from the FortiCloud IAM portal';
	return `The API user's ID (${where}${profile ? `; its permission profile must include ${profile}` : ''})`;
}

export function apiUserFields(description = apiUserIdHint(), displayOptions?: Display): INodeProperties[] {
	return [
		{
			displayName: 'API User ID',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description,
			...shown(displayOptions),
		},
		passwordField(displayOptions),
	];
}

export function authUrlField(description = 'FortiCloud IAM token service'): INodeProperties {
	return { displayName: 'Auth URL', name: 'authUrl', type: 'string', default: FORTICLOUD_AUTH_URL, description };
}

/** The JSON-RPC services: how long a confirmed session is trusted before get /sys/session. */
export function sessionCheckField(who: 'appliance' | 'instance', displayOptions?: Display): INodeProperties {
	return {
		displayName: 'Check Session After (Seconds)',
		name: 'sessionCheckSeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 86400 },
		default: SESSION_CHECK_SECONDS,
		description: `A session the ${who} confirmed longer ago than this is checked (get /sys/session) before it is sent, and renewed if it is gone. 0 checks before every request.`,
		...shown(displayOptions),
	};
}

/** An appliance's own certificate: skip verification, or trust its CA, for this credential only. */
export const TLS_FIELDS: INodeProperties[] = [
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
];

/** FortiCASB and FortiCWP: a user and password, or an API credential generated in the product. */
export function cnpFields({ label, baseUrl, euBaseUrl, authMethod }: CnpProduct): INodeProperties[] {
	const withPassword: Display = { show: { authMethod: ['password'] } };
	return [
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'API Credential', value: 'apiCredential', description: `A credential generated in ${label} (sent as Basic)` },
				{ name: 'Username and Password', value: 'password' },
			],
			default: authMethod,
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			displayOptions: withPassword,
		},
		passwordField(withPassword),
		// The whole Basic credential: a secret.
		{
			displayName: 'API Credential',
			name: 'apiSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: `The credential generated in ${label}, used as is after "Basic "`,
			displayOptions: { show: { authMethod: ['apiCredential'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: baseUrl,
			description: `${baseUrl}, or ${euBaseUrl} for accounts on the EU site`,
		},
	];
}

/** FortiManager Cloud and FortiAnalyzer Cloud: an IAM API user exchanged at the instance for a session. */
export function cloudSessionFields(product: 'FortiManager Cloud' | 'FortiAnalyzer Cloud'): INodeProperties[] {
	const host = product.split(' ')[0].toLowerCase();
	return [
		{
			displayName: 'Instance URL',
			name: 'instanceUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: `https://123456.us-east-1.${host}.forticloud.com`,
			description: `Address of the ${product} instance (requests go to its /jsonrpc path)`,
		},
		...apiUserFields(apiUserIdHint(product)),
		authUrlField(),
		sessionCheckField('instance'),
	];
}

/** An appliance's administrative HTTPS address. */
export function applianceUrlField(product: string, placeholder: string, displayOptions?: Display): INodeProperties {
	return {
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder,
		description: `Address of the ${product}'s administrative HTTPS interface, with its port if not 443`,
		...shown(displayOptions),
	};
}

/** An appliance administrator's login: the session n8n opens, keeps and logs out. */
export function adminFields(description: string, displayOptions?: Display): INodeProperties[] {
	return [
		{ displayName: 'Username', name: 'username', type: 'string', default: '', required: true, description, ...shown(displayOptions) },
		passwordField(displayOptions),
	];
}

/** An appliance's idle timeout for administrator sessions: n8n keeps its session alive before it ends. */
export function idleTimeoutField(setting: string, defaultMinutes: number, displayOptions?: Display): INodeProperties {
	return {
		displayName: 'Session Idle Timeout (Minutes)',
		name: 'idleMinutes',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1440 },
		default: defaultMinutes,
		description: `The appliance's idle timeout for administrator sessions (${setting}): n8n keeps its session alive before it ends`,
		...shown(displayOptions),
	};
}
