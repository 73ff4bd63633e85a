import type { IHttpRequestOptions } from 'n8n-workflow';

import type { ObtainedToken, PersistedToken, RequestHelpers, RevokeResult, ServiceDescription, TokenSet } from '../types';

/**
 * What every entry point (the two hooks, the node's operations, the credential Test) asks of a
 * credential, whatever its mode: a token the engine manages (`ManagedTokenMode`), a JSON-RPC
 * session it manages (`SessionMode`), or a token the user supplies (`FixedTokenMode`). One object
 * per credentials object n8n hands in (see `modeOf`), so it also remembers what the last request
 * made with that object carried.
 */
export interface CredentialMode {
	readonly service: ServiceDescription;
	/** The credential's own URL: its token goes there (and to the service's API domains) only. */
	readonly ownUrl: string;
	/** What it sends, in messages: 'token', 'session' or 'API key'. */
	readonly noun: string;
	/** The token `authenticate` last put on a request made with this credentials object ('' for none). */
	carried?: string;
	/** n8n's `preAuthentication`: on first use, after any failed request, on some versions' Test. */
	preAuthenticate(helpers: RequestHelpers): Promise<PersistedToken>;
	/** n8n's `authenticate`, before every request; the host is already checked. */
	authenticate(request: IHttpRequestOptions): Promise<IHttpRequestOptions>;
	/** The node's Get. */
	get(helpers: RequestHelpers, options: { forceNewLogin?: boolean }): Promise<ObtainedToken>;
	/** The node's Refresh. */
	refresh(helpers: RequestHelpers): Promise<TokenSet>;
	/** The node's Revoke. */
	revoke(helpers: RequestHelpers): Promise<RevokeResult>;
	/** The credential Test: the success message, or it throws. */
	test(helpers: RequestHelpers): Promise<string>;
}
