import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { identities, identityKey } from '../cache';
import { isTokenError, settle, tokenError, unwrap } from '../errors';
import { isExpired, needsRenewal } from '../expiry';
import { assertTokenHostAllowed, optionalText } from '../fields';
import { opensSessions } from '../identity';
import type { Caller, Identity, RenewalOptions } from '../identity';
import { persisted, storedToken } from '../persistence';
import { withoutToken, withTls, withToken } from '../requestOptions';
import { createAuthCall } from '../transport';
import type { Connection, ObtainedToken, PersistedToken, RequestHelpers, RevokeResult, ServiceDescription, TokenSet } from '../types';
import type { CredentialMode } from './mode';

/**
 * Whether n8n answers an error thrown by `authenticate` with preAuthentication, which it persists,
 * and a resend: `requestWithAuthentication` (the HTTP Request node), whose requests carry `uri`, on
 * every n8n line. `httpRequestWithAuthentication` (`url`) resends after a 401 only.
 */
function retriedOnError(request: IHttpRequestOptions): boolean {
	return typeof (request as { uri?: unknown }).uri === 'string';
}

/** A failure that says the service cannot be reached or answer now, not that the secret is wrong. */
function isOutage(error: unknown): boolean {
	return isTokenError(error) && ['serviceError', 'badResponse', 'network', 'rateLimited'].includes(error.kind);
}

/**
 * A token the engine obtains with the user's secret and renews (FortiCloud IAM services, FortiCASB,
 * FortiCWP, FortiAuthenticator), sent as a Bearer header. The identity's state is all in its
 * `Identity`; this class decides when to use, judge, renew or revoke it.
 */
export class ManagedTokenMode implements CredentialMode {
	carried?: string;

	/** When `authenticate` last sent `carried`: the hook after a failure times the request. */
	#sentAt?: number;

	/** Whether `authenticate` already handed a renewal to preAuthentication (once per object). */
	#deferred = false;

	readonly ownUrl: string;

	/** Whether the engine obtains sessions (an appliance's login), not tokens. */
	protected readonly sessions: boolean;

	/** What the engine obtains for this credential, in messages. */
	readonly noun: string;

	/** How the node's Refresh renews: the refresh grant where there is one (sessions: a new login). */
	protected readonly nodeRefresh: RenewalOptions['mode'] = 'refreshOrLogin';

	protected readonly key: string;

	constructor(
		readonly service: ServiceDescription,
		protected readonly credentials: ICredentialDataDecryptedObject,
		protected readonly connection: Connection,
	) {
		assertTokenHostAllowed(credentials, connection.baseUrl, service.label);
		// FortiManager Cloud: the FortiCloud token goes to the instance, to be exchanged for a session.
		if (connection.apiUrl) assertTokenHostAllowed(credentials, connection.apiUrl, service.label);
		this.key = identityKey(service.protocol, connection);
		this.ownUrl = connection.apiUrl ?? connection.baseUrl;
		this.sessions = opensSessions(service);
		this.noun = this.sessions ? 'session' : 'token';
	}

	/** A session read back from the stored credential is typed like one the protocol issued. */
	protected typed(token: TokenSet): TokenSet {
		return this.sessions ? { ...token, tokenType: 'session' } : token;
	}

	/** Whether the token can be sent as it is: not about to expire. */
	protected usable(token: TokenSet): boolean {
		return !needsRenewal(token);
	}

	async preAuthenticate(helpers: RequestHelpers): Promise<PersistedToken> {
		const identity = this.identity(helpers);
		if (this.carried && this.#sentAt !== undefined) identity.observe(Date.now() - this.#sentAt);
		return await identity.use(async () => {
			const stored = this.stored();
			const joined = await identity.open(stored);
			const token = joined ? unwrap(joined) : await this.afterFailure(identity, this.caller(helpers), stored);
			return persisted(token, this.key);
		});
	}

	/**
	 * What preAuthentication returns when no renewal was under way. Only when the token the failed
	 * request carried is the current one, and the service does not vouch for it, does one renewal
	 * run. When it ran only because the check failed this time and it fails too, the service is
	 * out: the token is kept, and the resend shows the API's own answer.
	 */
	protected async afterFailure(identity: Identity, caller: Caller, stored: TokenSet | undefined): Promise<TokenSet> {
		const current = identity.token;
		const options = { mode: 'refreshOrLogin' as const, storedRefreshToken: stored?.refreshToken };
		if (!current) return await identity.renew(caller, options);
		if (needsRenewal(current)) return await this.renewedAhead(identity, caller, current, options);
		if (current.accessToken !== this.carriedToken()) return current;
		const judged = await identity.judge(caller, current);
		// Another caller may have renewed (joined below) or revoked while the service was asked.
		const now = identity.token;
		if (!identity.renewing && now && (now.accessToken !== current.accessToken || judged === 'alive' || judged === 'quiet')) return now;
		const renewal = identity.renew(caller, { ...options, afterUnexplainedFailure: judged === 'unexplained', replacing: current, replacedDead: judged === 'dead' });
		if (judged !== 'unknown') return await renewal;
		const renewed = await settle(async () => await renewal);
		const kept = identity.token;
		if (!renewed.ok && isOutage(renewed.error) && kept && !isExpired(kept)) return kept;
		return unwrap(renewed);
	}

	/**
	 * A token near its end, renewed so that n8n stores its successor. It still works: a renewal
	 * that fails keeps it, and the request has the service's own answer.
	 */
	protected async renewedAhead(identity: Identity, caller: Caller, current: TokenSet, options: RenewalOptions): Promise<TokenSet> {
		const renewed = await settle(async () => await identity.renew(caller, { ...options, replacing: current, early: true }));
		const kept = identity.token;
		if (!renewed.ok && kept && !isExpired(kept)) return kept;
		return unwrap(renewed);
	}

	async authenticate(request: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const stored = this.stored();
		const identity = stored ? identities.obtain(this.key) : identities.get(this.key);
		// Nothing is sent until `send` returns: a failure before it is not the token's.
		this.carried = '';
		let token = identity?.ready(stored, (candidate) => this.usable(candidate));
		if (identity && !token) token = await identity.use(async () => await this.prepared(identity, stored, request));
		const sent = this.send(request, token);
		this.carried = token?.accessToken ?? '';
		this.#sentAt = Date.now();
		return sent;
	}

	/** The token `authenticate` sends when it was not ready at once. */
	protected async prepared(identity: Identity, stored: TokenSet | undefined, request: IHttpRequestOptions): Promise<TokenSet | undefined> {
		const joined = await identity.open(stored);
		const current = identity.token;
		if (joined && !joined.ok && (!current || isExpired(current))) throw joined.error;
		if (current && this.usable(current)) return current;
		if (this.deferrable(identity, current, request)) throw this.deferral();
		return await this.ahead(identity, current);
	}

	/**
	 * Whether the renewal (or confirmation) this request needs can be left to preAuthentication:
	 * then n8n stores what it obtains, and other processes and restarts start from it. Once per
	 * credentials object, and not while a renewal that just failed keeps the still-valid token.
	 */
	protected deferrable(identity: Identity, current: TokenSet | undefined, request: IHttpRequestOptions): boolean {
		return !this.#deferred && retriedOnError(request) && !this.keepsValid(identity, current);
	}

	/** A renewal ahead of expiry failed a moment ago: the still-valid token is sent meanwhile. */
	protected keepsValid(identity: Identity, current: TokenSet | undefined): current is TokenSet {
		return current !== undefined && !isExpired(current) && identity.earlyRenewalPaused;
	}

	/** The error that sends n8n's requestWithAuthentication to preAuthentication and a resend. */
	protected deferral(): Error {
		this.#deferred = true;
		return tokenError('renewalPending', `The ${this.service.label} ${this.noun} is renewed before this request is sent.`);
	}

	/**
	 * A token about to expire is renewed before it is sent, with the request functions of an
	 * earlier caller when n8n still holds them. A renewal that failed while the token is still
	 * valid is not retried by every request: the token is sent and the service has the last word.
	 */
	protected async ahead(identity: Identity, token: TokenSet | undefined): Promise<TokenSet | undefined> {
		const helpers = identity.keptHelpers();
		if (!helpers) return token;
		if (this.keepsValid(identity, token)) return token;
		const renewed = await settle(async () => await identity.renew(this.caller(helpers), { mode: 'refreshOrLogin' }));
		if (renewed.ok) return renewed.value;
		if (token && !isExpired(token)) return token;
		throw renewed.error;
	}

	/**
	 * The Bearer, or (no token in this process, and no way to log in from here) no credentials at
	 * all: the service's 401 makes n8n run preAuthentication, which logs in, and resend.
	 */
	protected send(request: IHttpRequestOptions, token: TokenSet | undefined): IHttpRequestOptions {
		if (!token) return withoutToken(request);
		return withTls(withToken(request, token.accessToken, this.service.protocol, this.connection), this.ownUrl, this.connection.tls);
	}

	async get(helpers: RequestHelpers, options: { forceNewLogin?: boolean }): Promise<ObtainedToken> {
		const obtained = await this.held(helpers, options);
		return { ...obtained, token: this.typed(obtained.token) };
	}

	private async held(helpers: RequestHelpers, options: { forceNewLogin?: boolean }): Promise<ObtainedToken> {
		const identity = this.identity(helpers);
		return await identity.use(async () => {
			const stored = this.stored();
			const joined = await identity.open(stored);
			const caller = this.caller(helpers);
			// The user asked for a login: a remembered refusal or 429 does not stand in the way.
			if (options.forceNewLogin) return { token: await identity.renew(caller, { mode: 'login', ignoreRefused: true }), fromCache: false };
			if (joined) return { token: unwrap(joined), fromCache: true };
			const current = identity.token;
			if (current && this.usable(current)) return { token: current, fromCache: true };
			return await this.obtained(identity, caller, stored);
		});
	}

	/** The node's Get when the current token cannot be handed out as it is. */
	protected async obtained(identity: Identity, caller: Caller, stored: TokenSet | undefined): Promise<ObtainedToken> {
		return { token: await identity.renew(caller, { mode: 'refreshOrLogin', storedRefreshToken: stored?.refreshToken }), fromCache: false };
	}

	async refresh(helpers: RequestHelpers): Promise<TokenSet> {
		const identity = this.identity(helpers);
		return await identity.use(async () => {
			const stored = this.stored();
			const joined = await identity.open(stored);
			if (joined) return unwrap(joined);
			// A session it replaces is logged out by the renewal; a token dies with its successor.
			const token = await identity.renew(this.caller(helpers), { mode: this.nodeRefresh, storedRefreshToken: stored?.refreshToken });
			return this.typed(token);
		});
	}

	async revoke(helpers: RequestHelpers): Promise<RevokeResult> {
		const identity = this.identity(helpers);
		const { label, noRevokeReason, protocol } = this.service;
		const token = await identity.use(async () => await identity.revoke(this.caller(helpers), this.stored()));
		const revokedAtService = token !== undefined && protocol.revoke !== undefined;
		const message = !token
			? `No ${label} token was held for this credential; nothing to revoke.`
			: revokedAtService
				? `The ${label} token was revoked and dropped from n8n's cache; the next request logs in again.`
				: `${noRevokeReason ?? `${label} has no revoke call`}. The token was dropped from n8n's cache; the next request logs in again.`;
		return { revokedAtService, hadToken: token !== undefined, message };
	}

	/**
	 * A live token of the same identity — same user and same secret — proves the secret without a
	 * login; otherwise one renewal runs, and its token becomes the current one, so running
	 * workflows are never knocked out by a Test's own login.
	 */
	async test(helpers: RequestHelpers): Promise<string> {
		const identity = this.identity(helpers);
		const { label } = this.service;
		return await identity.use(async () => {
			const joined = await identity.open(this.stored());
			if (joined) unwrap(joined);
			const caller = this.caller(helpers);
			const current = identity.token;
			if (current && !needsRenewal(current)) {
				const judged = await identity.judge(caller, current);
				if (judged !== 'dead' && judged !== 'unknown') return `Connection successful: the current ${label} token is valid.`;
			}
			await identity.renew(caller, { mode: 'refreshOrLogin' });
			return `Connection successful: ${label} issued a token.`;
		});
	}

	/** This identity's state, remembering the caller's request functions (weakly). */
	protected identity(helpers: RequestHelpers): Identity {
		const identity = identities.obtain(this.key);
		identity.keep(helpers);
		return identity;
	}

	protected caller(helpers: RequestHelpers): Caller {
		return { service: this.service, connection: this.connection, call: createAuthCall(helpers, this.connection.tls, this.service.label) };
	}

	protected stored(): TokenSet | undefined {
		return storedToken(this.credentials, this.key);
	}

	/** The token the failed request carried: recorded by `authenticate`, else the stored one. */
	protected carriedToken(): string {
		return this.carried ?? optionalText(this.credentials, 'sessionToken');
	}
}
