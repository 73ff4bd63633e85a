import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { settle, tokenError } from '../errors';
import type { FortinetTokenError } from '../errors';
import { assertTokenHostAllowed, optionalText } from '../fields';
import { fingerprint } from '../identity';
import { FIXED_TOKEN_MARKER, FIXED_TOKEN_PERSISTED } from '../persistence';
import { withTls, withToken } from '../requestOptions';
import { KeyedFlights } from '../singleFlight';
import { createAuthCall } from '../transport';
import type { Connection, FixedToken, Liveness, ObtainedToken, PersistedToken, RequestHelpers, RevokeResult, ServiceDescription, TokenSet } from '../types';
import type { CredentialMode } from './mode';

/** What the node's Refresh and Revoke say of each kind of fixed token. */
const SAYS: Record<FixedToken['kind'], { refresh(service: ServiceDescription): string; revoke(service: ServiceDescription): string }> = {
	pastedToken: {
		refresh: ({ label }) => `A pasted ${label} access token cannot be refreshed: switch Authentication to "API User" to let n8n renew tokens.`,
		revoke: ({ label }) => `A pasted ${label} access token is not revoked by n8n; it expires by itself within an hour.`,
	},
	apiKey: {
		refresh: ({ label }) =>
			`A ${label} API key cannot be refreshed: the administrator regenerates it. Switch Authentication to "Administrator Login (Session)" to let n8n manage sessions.`,
		revoke: ({ label, noRevokeReason }) => `${noRevokeReason ?? `A ${label} API key is not revoked by n8n`}.`,
	},
};

/** Checks of fixed tokens under way (they have no identity to hold them), by fingerprint. */
const checks = new KeyedFlights<Liveness>();

/**
 * A token the user supplies (a pasted FortiSASE token, a FortiManager API key): sent as is, never
 * renewed, revoked or cached — the pass-through of the three modes. A pasted token that a failed
 * request carried is asked about at its issuer, so only a dead one is reported as expired.
 */
export class FixedTokenMode implements CredentialMode {
	carried?: string;

	/** Where the token goes, as the protocol's headers need it: the issuer's connection, else the URL's. */
	private readonly connection: Connection;

	constructor(
		readonly service: ServiceDescription,
		private readonly credentials: ICredentialDataDecryptedObject,
		private readonly fixed: FixedToken,
	) {
		this.connection = fixed.issuer?.connection ?? { baseUrl: fixed.url, grant: 'apiCredential', tls: fixed.tls };
	}

	get ownUrl(): string {
		return this.fixed.url;
	}

	get noun(): string {
		return this.fixed.kind === 'apiKey' ? 'API key' : 'token';
	}

	async preAuthenticate(helpers: RequestHelpers): Promise<PersistedToken> {
		const carried = this.carried ?? optionalText(this.credentials, 'sessionToken');
		const failed = carried === this.fixed.token || carried === FIXED_TOKEN_MARKER;
		if (failed && (await this.check(helpers)) === 'dead') throw this.rejected(401);
		return FIXED_TOKEN_PERSISTED;
	}

	async authenticate(request: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		this.carried = this.fixed.token;
		return withTls(withToken(request, this.fixed.token, this.service.protocol, this.connection), this.fixed.url, this.fixed.tls);
	}

	async get(): Promise<ObtainedToken> {
		// An API key is typed as such: the node never outputs it (the user has it; it does not expire).
		const tokenType = this.fixed.kind === 'apiKey' ? 'apiKey' : 'Bearer';
		const token: TokenSet = { accessToken: this.fixed.token, tokenType, expiresAt: null, issuedAt: Date.now() };
		return { token, fromCache: true };
	}

	async refresh(): Promise<TokenSet> {
		throw tokenError('configuration', SAYS[this.fixed.kind].refresh(this.service));
	}

	async revoke(): Promise<RevokeResult> {
		return { revokedAtService: false, hadToken: true, message: SAYS[this.fixed.kind].revoke(this.service) };
	}

	async test(helpers: RequestHelpers): Promise<string> {
		if (!this.fixed.issuer) return 'The access token is set.';
		const verdict = await this.check(helpers);
		if (verdict === 'dead') throw this.rejected();
		return verdict === 'alive' ? 'The access token is valid.' : `The access token is set; ${this.service.label} could not confirm it here.`;
	}

	/**
	 * Asks the issuer whether the token is alive, shared by concurrent callers. The token goes there
	 * only if "Specific Domains" allows that host (n8n itself restricts the hooks only from 2.41).
	 */
	private async check(helpers: RequestHelpers): Promise<Liveness> {
		const { issuer, token } = this.fixed;
		const check = issuer?.protocol.check;
		if (!issuer || !check) return 'unknown';
		assertTokenHostAllowed(this.credentials, issuer.connection.baseUrl, this.service.label);
		return await checks.run(fingerprint(token), async () => {
			const call = createAuthCall(helpers, issuer.connection.tls, this.service.label);
			const result = await settle(async () => await check(call, issuer.connection, token));
			if (!result.ok) return 'unknown';
			return typeof result.value === 'object' ? 'alive' : result.value;
		});
	}

	private rejected(status?: number): FortinetTokenError {
		return tokenError('expiredToken', this.service.expiredPastedTokenHint ?? `${this.service.label} rejected the access token.`, status);
	}
}
