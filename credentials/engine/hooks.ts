/**
 * The two hooks n8n calls on a credential, and the life of one request through them.
 *
 * 1. n8n loads the credential for the request (its stored token may be older than this process's).
 * 2. If the stored token is empty, n8n calls `preAuthentication`: the cached token of this identity
 *    is returned, or one renewal runs for every concurrent caller (single flight).
 * 3. `authenticate` puts the newest token this process knows on the request (renewing it first
 *    when it is about to expire), records which token that was, and turns off redirects.
 * 4. If the request fails — for any reason, a 404 included — the HTTP Request node calls
 *    `preAuthentication` again with the same credentials object, then resends once. The hook
 *    judges the token that request carried: already replaced → the newer one is returned; still
 *    current → the service is asked whether it is alive (alive → returned as is, so the user sees
 *    the API's own error; dead → one shared renewal).
 * 5. What `preAuthentication` returns n8n persists with the credential: other processes and
 *    restarts start from it (n8n loads the credential afresh for every request). Other processes
 *    are not asked: a dead token one of them may already have replaced is renewed only after a
 *    short wait for that newer stored token (see `peerWaitMs`).
 *
 * What happens in each step depends on the credential's mode (modes/); the host check is common.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { tokenError } from './errors';
import { modeOf } from './modes';
import { isIntendedHost, targetOf } from './requestOptions';
import type { PersistedToken, RequestHelpers, ServiceDescription } from './types';

/** `preAuthentication`: on first use, after any failed request (step 4) and on some versions' Test. */
export async function preAuthenticate(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<PersistedToken> {
	return await modeOf(service, credentials).preAuthenticate(helpers);
}

/** `authenticate`: runs before every request (step 3). A token never goes to another host. */
export async function authenticate(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	request: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const mode = modeOf(service, credentials);
	const target = targetOf(request);
	if (isIntendedHost(target, mode.ownUrl, service.apiDomains)) return await mode.authenticate(service.prepare?.(request, credentials) ?? request);
	// Nothing was sent with a token: a failure of this request is not the token's.
	mode.carried = '';
	const domains = service.apiDomains.map((domain) => `*.${domain}`).join(', ');
	throw tokenError(
		'configuration',
		`The ${service.label} ${mode.noun} is only sent to the credential's own URL${domains ? ` and to ${domains} over HTTPS` : ''}; ` +
			`${target ? target.origin : 'this request'} is ${domains ? 'neither' : 'not it'}. Check the URL of the request.`,
	);
}
