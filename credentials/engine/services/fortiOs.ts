import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { baseUrl, optionalText, requiredText, tlsFrom } from '../fields';
import { fortiOsSession } from '../protocols/fortiOs';
import { targetOf } from '../requestOptions';
import type { ServiceDescription } from '../types';

const LABEL = 'FortiGate (FortiOS)';

/** Query parameters that would carry a key in the URL (FortiOS's legacy form; logged everywhere). */
const KEY_PARAMETERS = ['access_token'];

/**
 * The credential's Default VDOM on a request that names none (in `qs` or in its URL), and no API
 * key in the URL: the credential's header carries it.
 */
function prepare(request: IHttpRequestOptions, credentials: ICredentialDataDecryptedObject): IHttpRequestOptions {
	const qs = { ...(request.qs ?? {}) };
	for (const name of KEY_PARAMETERS) delete qs[name];
	const url = targetOf(request);
	const vdom = optionalText(credentials, 'vdom');
	if (vdom && qs.vdom === undefined && !url?.searchParams.has('vdom')) qs.vdom = vdom;
	if (request.qs || qs.vdom !== undefined) request.qs = qs;
	if (url && KEY_PARAMETERS.some((name) => url.searchParams.has(name))) {
		for (const name of KEY_PARAMETERS) url.searchParams.delete(name);
		const options = request as IHttpRequestOptions & { uri?: unknown };
		if (typeof options.uri === 'string') options.uri = url.toString();
		else request.url = url.toString();
	}
	return request;
}

/** A FortiGate's REST API: a REST API administrator's key, or an administrator's login session. */
export const fortiOs: ServiceDescription = {
	credentialType: 'fortiOsApi',
	label: LABEL,
	protocol: fortiOsSession,
	// The appliance only: the key or session never goes to another host.
	apiDomains: [],
	sendsTokenAs: 'sessionHeaders',
	// FortiOS's defaults: admin-lockout-threshold 3, admin-lockout-duration 60 s.
	locksOut: { failures: 3, durationMs: 60_000, setting: 'admin-lockout-threshold' },
	secretHint:
		"the administrator's Username and Password (n8n does not try this password again until the credential is changed, so that FortiOS's admin lockout is never reached); the administrator must not use two-factor authentication, and n8n's address must be among its trusted hosts",
	noRevokeReason: 'A FortiGate API key is not revoked by n8n: the administrator regenerates it (execute api-user generate-key)',
	expiredPastedTokenHint:
		"FortiGate rejected the API key: check the credential's API Key, and that n8n's address is among the REST API administrator's trusted hosts.",
	prepare,
	connect: (credentials) => {
		const url = baseUrl(credentials, 'baseUrl', 'Base URL', LABEL);
		const tls = tlsFrom(credentials);
		if (optionalText(credentials, 'authentication') !== 'session') {
			const connection = { baseUrl: url, grant: 'apiCredential' as const, tls };
			// Its Test is a harmless read with the key (GET monitor/system/status).
			const key = requiredText(credentials, 'apiKey', 'API Key', LABEL);
			return { kind: 'apiKey', token: key, url, tls, issuer: { protocol: fortiOsSession, connection } };
		}
		return {
			baseUrl: url,
			grant: 'password',
			username: requiredText(credentials, 'username', 'Username', LABEL),
			password: requiredText(credentials, 'password', 'Password', LABEL),
			tls,
		};
	},
};
