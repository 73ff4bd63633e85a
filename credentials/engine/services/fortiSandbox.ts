import { baseUrl, optionalText, requiredText, tlsFrom } from '../fields';
import { jsonRpcSession } from '../protocols/fortiManager';
import type { ServiceDescription } from '../types';
import { sessionCheckMs } from './fortiManagerConnection';

const LABEL = 'FortiSandbox';

/**
 * FortiSandbox's JSON-RPC API (on premises and PaaS): `exec /sys/login/user` (API ver 2.5: flat
 * `data`), or on PaaS `get /sys/login/token` with a token from the portal, answers a `session`
 * that goes into every body; the result is one object, not a list. A dead session is answered
 * HTTP 200 with an error status. Guesses: its code (-11, as FortiManager's) and that
 * `get /sys/status` is a read every administrator may make.
 */
const protocol = jsonRpcSession('fortisandbox', {
	envelope: { ver: '2.5' },
	login: (connection) =>
		connection.grant === 'apiCredential'
			? { method: 'get', url: '/sys/login/token', data: { token: connection.apiCredential ?? '' }, secret: connection.apiCredential }
			: { method: 'exec', url: '/sys/login/user', data: { user: connection.username ?? '', passwd: connection.password ?? '' }, secret: connection.password },
	checkUrl: '/sys/status',
	invalid: [-11],
});

/** FortiSandbox (on premises or PaaS): a JSON-RPC session, from a password or a PaaS token. */
export const fortiSandbox: ServiceDescription = {
	credentialType: 'fortiSandboxApi',
	label: LABEL,
	protocol,
	apiDomains: [],
	sendsTokenAs: 'jsonRpcSession',
	secretHint: "the administrator's Username and Password (or the PaaS API token); the administrator needs JSON API access",
	connect: (credentials) => {
		const url = baseUrl(credentials, 'baseUrl', 'Base URL', LABEL);
		const common = { baseUrl: url, sessionCheckMs: sessionCheckMs(credentials, LABEL), tls: tlsFrom(credentials) };
		if (optionalText(credentials, 'authentication') === 'token') {
			return { ...common, grant: 'apiCredential', apiCredential: requiredText(credentials, 'apiToken', 'API Token', LABEL) };
		}
		return { ...common, grant: 'password', username: requiredText(credentials, 'username', 'Username', LABEL), password: requiredText(credentials, 'password', 'Password', LABEL) };
	},
};
