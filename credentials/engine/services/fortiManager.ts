import { baseUrl, optionalText, requiredText, tlsFrom } from '../fields';
import { fortiManagerSession } from '../protocols/fortiManager';
import type { ServiceDescription } from '../types';
import { sessionCheckMs } from './fortiManagerConnection';

const LABEL = 'FortiManager / FortiAnalyzer';

/** On-premises FortiManager or FortiAnalyzer: a JSON-RPC session, or (FortiManager ≥ 7.2.2) an API key. */
export const fortiManager: ServiceDescription = {
	credentialType: 'fortiManagerApi',
	label: LABEL,
	protocol: fortiManagerSession,
	// The appliance only: the session or key never goes to another host.
	apiDomains: [],
	sendsTokenAs: 'jsonRpcSession',
	secretHint:
		"the administrator's Username and Password; the administrator needs JSON API access (rpc-permit read or read-write)",
	noRevokeReason: 'An API key is not revoked by n8n: the FortiManager administrator deletes or regenerates it',
	connect: (credentials) => {
		const url = baseUrl(credentials, 'baseUrl', 'Base URL', LABEL);
		const tls = tlsFrom(credentials);
		if (optionalText(credentials, 'authMethod') === 'apiKey') {
			// Sent as a Bearer header to the appliance; sessions are not used.
			return { kind: 'apiKey', token: requiredText(credentials, 'apiKey', 'API Key', LABEL), url, tls };
		}
		return {
			baseUrl: url,
			grant: 'password',
			username: requiredText(credentials, 'username', 'Username', LABEL),
			password: requiredText(credentials, 'password', 'Password', LABEL),
			sessionCheckMs: sessionCheckMs(credentials, LABEL),
			tls,
		};
	},
};
