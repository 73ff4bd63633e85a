/**
 * JSON-RPC sessions (FortiManager, FortiAnalyzer). A request with a dead session is answered with
 * HTTP 200 and code -11 in the body, so n8n never sees a failure and never retries: a session is
 * therefore confirmed by the service (`get /sys/session`) before it is sent whenever the last
 * confirmation is older than the credential's interval, and renewed when that check calls it dead
 * or its reported lifetime runs out. Between two checks a session killed from outside (an
 * administrator, a reboot) is not noticed: the interval bounds that, and 0 checks every request.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { tokenError } from '../errors';
import { isExpired, needsRenewal } from '../expiry';
import type { Caller, Identity } from '../identity';
import { jsonRpcBody, withSession, withTls } from '../requestOptions';
import type { ObtainedToken, TokenSet } from '../types';
import { ManagedTokenMode } from './managedToken';

export class SessionMode extends ManagedTokenMode {
	/** Not about to expire, and confirmed by the service within the credential's interval. */
	protected override usable(token: TokenSet, now = Date.now()): boolean {
		if (!super.usable(token)) return false;
		return token.confirmedAt !== undefined && now - token.confirmedAt < (this.connection.sessionCheckMs ?? 0);
	}

	/** A session due for confirmation is asked about first (an HTTP 200 answer hides a dead one). */
	protected override async afterFailure(identity: Identity, caller: Caller, stored: TokenSet | undefined): Promise<TokenSet> {
		const current = identity.token;
		if (current && !this.usable(current)) return await this.confirmed(identity, caller);
		return await super.afterFailure(identity, caller, stored);
	}

	/** Only JSON-RPC calls get the session; anything else (a file download, the login page) goes without. */
	override async authenticate(request: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		if (jsonRpcBody(request)) return await super.authenticate(request);
		this.carried = '';
		return withTls(request, this.ownUrl, this.connection.tls);
	}

	/** Confirmed (or renewed) with the request functions of an earlier caller, when n8n still holds them. */
	protected override async ahead(identity: Identity): Promise<TokenSet | undefined> {
		const helpers = identity.keptHelpers();
		return helpers ? await this.confirmed(identity, this.caller(helpers)) : undefined;
	}

	/**
	 * The session as the body's `session`. Without one the call is not sent: it would be answered
	 * HTTP 200 (code -11) and never retried, so n8n is asked to run preAuthentication (which can
	 * confirm or log in) and then sends the request.
	 */
	protected override send(request: IHttpRequestOptions, token: TokenSet | undefined): IHttpRequestOptions {
		const body = jsonRpcBody(request);
		if (!token || !body) {
			throw tokenError('renewalPending', `The ${this.service.label} session is confirmed with the service before this request is sent.`);
		}
		return withTls(withSession(request, body, token.accessToken), this.ownUrl, this.connection.tls);
	}

	protected override async obtained(identity: Identity, caller: Caller, stored: TokenSet | undefined): Promise<ObtainedToken> {
		const before = identity.token;
		if (!before) return await super.obtained(identity, caller, stored);
		const confirmed = await this.confirmed(identity, caller);
		return { token: confirmed, fromCache: confirmed.accessToken === before.accessToken };
	}

	/**
	 * The identity's session once the service has confirmed it, or its renewal when the service
	 * calls it dead (or its lifetime is ending). Concurrent callers share the check and the renewal.
	 */
	private async confirmed(identity: Identity, caller: Caller): Promise<TokenSet> {
		const token = identity.token;
		const renewal = { mode: 'refreshOrLogin' as const };
		if (!token) return await identity.renew(caller, renewal);
		const verdict = await identity.confirm(caller, token.accessToken, true);
		// A renewal another caller started meanwhile is joined.
		if (identity.renewing) return await identity.renew(caller, renewal);
		const current = identity.token;
		// Another caller replaced it meanwhile, or the check confirmed it (and updated its lifetime).
		if (current && !needsRenewal(current) && (current.accessToken !== token.accessToken || verdict === 'alive')) return current;
		if ((verdict === 'unknown' || verdict === 'unsupported') && current && !isExpired(current)) {
			// The service could not say this time: the session is sent, and asked about after the interval.
			identity.confirmed();
			return identity.token ?? current;
		}
		return await identity.renew(caller, { ...renewal, replacing: verdict === 'dead' ? token : undefined, replacedDead: verdict === 'dead' });
	}
}
