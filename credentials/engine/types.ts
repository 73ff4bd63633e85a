import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

/** A token as the engine keeps it, whatever the service's wire format. */
export interface TokenSet {
	accessToken: string;
	refreshToken?: string;
	tokenType: string;
	scope?: string;
	/** Epoch milliseconds; null when the service says it never expires (or gave no usable expiry). */
	expiresAt: number | null;
	issuedAt: number;
	/** When the service last confirmed the token alive (sessions are confirmed before use; epoch ms). */
	confirmedAt?: number;
	/** When `expiresAt` was last measured, if not at the issue (a session's check reports its idle time left). */
	lifetimeFrom?: number;
}

/**
 * n8n's request helpers as a credential or node sees them. `request` is the legacy helper; a
 * credential test function (node `testedBy`) gets only that one, a 2.41+ login hook only `httpRequest`.
 */
export interface RequestHelpers {
	httpRequest?(options: IHttpRequestOptions): Promise<unknown>;
	request?(options: Record<string, unknown>): Promise<unknown>;
}

/** One HTTP exchange with a token endpoint, reduced to what the parsers need. */
export interface AuthRequest {
	method: 'POST' | 'GET' | 'PUT' | 'DELETE';
	url: string;
	/** JSON body, or form fields (string values) when `form` is true. */
	body?: Record<string, unknown>;
	form?: boolean;
	headers?: Record<string, string>;
	/** Secrets this request carries: removed from any error text built from the answer. */
	secrets?: Array<string | undefined>;
}

export interface AuthResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON when the body was JSON, else the raw text. */
	body: unknown;
	/** The request's secrets, for error text built from this answer. */
	secrets?: Array<string | undefined>;
}

export type AuthCall = (request: AuthRequest) => Promise<AuthResponse>;

export interface TlsSettings {
	skipVerification: boolean;
	/** PEM of a CA to trust for this service only. */
	ca?: string;
}

/** What a protocol needs to talk to one account, resolved from the user's credential fields. */
export interface Connection {
	/** Origin (and optional path prefix) of the token endpoints, without a trailing slash. */
	baseUrl: string;
	grant: 'password' | 'apiCredential';
	username?: string;
	password?: string;
	apiCredential?: string;
	clientId?: string;
	/**
	 * Where the token is used when that is not the token service (FortiManager Cloud: the instance
	 * that exchanges the FortiCloud token for a session). The token goes to this origin only.
	 */
	apiUrl?: string;
	/** Which of a credential's products or deployments the user picked (FortiMail / FortiVoice, EMS Cloud). */
	variant?: string;
	/** Appliance sessions: how long the appliance keeps an unused one (its idle timeout setting). */
	idleMs?: number;
	/** Sessions: how long one the service confirmed stays trusted before it is checked again. */
	sessionCheckMs?: number;
	tls: TlsSettings;
}

/**
 * What the service says of a token when asked: `unsupported` when it has no such call (404, 405),
 * `unknown` when the call failed this time (an error, a rate limit).
 */
export type Liveness = 'alive' | 'dead' | 'unknown' | 'unsupported';

/** A check's "alive" with what the service said of the remaining lifetime (JSON-RPC sessions). */
export interface Alive {
	liveness: 'alive';
	expiresAt: number | null;
}

/** The wire protocol of a family of services: how to log in, refresh, check and revoke. */
export interface Protocol {
	/**
	 * The token service this protocol speaks to: with the URL, user, client_id and secret it makes
	 * the identity. Two credential types on one protocol and account share one token.
	 */
	family: string;
	login(call: AuthCall, connection: Connection, service: ServiceDescription): Promise<TokenSet>;
	refresh?(
		call: AuthCall,
		connection: Connection,
		refreshToken: string,
		service: ServiceDescription,
	): Promise<TokenSet>;
	/** Ends the token at the service: every part of it that could still be used (access, refresh, session). */
	revoke?(call: AuthCall, connection: Connection, token: TokenSet, service: ServiceDescription): Promise<void>;
	/** Asks the service whether an access token is still valid, without renewing it. */
	check?(call: AuthCall, connection: Connection, token: string): Promise<Liveness | Alive>;
	/**
	 * The headers that carry a token on an API request, where that is not just a Bearer header
	 * (FortiOS: a session key, or its cookies and, on writes, the CSRF token), for that connection.
	 */
	headers?(token: string, write: boolean, connection: Connection): Record<string, string>;
}

/**
 * A token the user supplies, used as is and never renewed: a pasted access token (FortiSASE, one
 * hour) or an API key an administrator generated (FortiManager).
 */
export interface FixedToken {
	kind: 'pastedToken' | 'apiKey';
	token: string;
	/** The credential's own URL: where the token is sent (besides the service's API domains). */
	url: string;
	/** TLS choice for `url`'s origin. */
	tls: TlsSettings;
	/** The token service that issued a pasted token, where a failed call's token can be checked. */
	issuer?: { protocol: Protocol; connection: Connection };
}

/** One Fortinet service: data, plus the mapping from its credential fields. */
export interface ServiceDescription {
	/** The n8n credential type name, e.g. `fortiSaseApi`. */
	credentialType: string;
	/** Product name used in every message, e.g. "FortiSASE". */
	label: string;
	protocol: Protocol;
	/** Where the user finds the secret: appended to "check the …" in error messages. */
	secretHint: string;
	/** Why a revoke is impossible, for services without a revoke call. */
	noRevokeReason?: string;
	/** Message when a pasted access token is rejected (services that accept one). */
	expiredPastedTokenHint?: string;
	/**
	 * Domains the service's APIs live under (with their sub-domains). The token is sent there and to
	 * the credential's own URL, nowhere else: a URL built from item data cannot carry it away.
	 */
	apiDomains: readonly string[];
	/**
	 * How the token travels: a Bearer header (default); as the `session` member of JSON-RPC bodies
	 * (FortiManager / FortiAnalyzer), where an invalid session answers HTTP 200; or as an appliance
	 * login session in the protocol's `headers` (FortiGate), which a dead session answers with 401.
	 */
	sendsTokenAs?: 'bearer' | 'jsonRpcSession' | 'sessionHeaders';
	/**
	 * The service locks an address out after a few failed logins (FortiOS: 3): a refused login is
	 * not tried again by this process until the credential changes (a new identity) or a restart,
	 * and no login at all goes to that host once one more failure would reach the lockout.
	 */
	locksOut?: Lockout;
	/**
	 * What the product does to a request for its own host before the token is put on it (FortiOS:
	 * the credential's default VDOM, and no key in the URL).
	 */
	prepare?(request: IHttpRequestOptions, credentials: ICredentialDataDecryptedObject): IHttpRequestOptions;
	connect(credentials: ICredentialDataDecryptedObject): Connection | FixedToken;
}

/** What the credential hands back to n8n to persist (all declared hidden fields). */
export interface PersistedToken {
	[key: string]: string;
	sessionToken: string;
	refreshToken: string;
	expiresAt: string;
	/** When the token was issued (ISO): which of two stored tokens is newer, also for tokens without expiry. */
	issuedAt: string;
	tokenOwner: string;
}

/** A token as the node's Get hands it out. */
export interface ObtainedToken {
	token: TokenSet;
	/** True when no call to the service was needed. */
	fromCache: boolean;
}

export interface RevokeResult {
	/** The service confirmed the revocation (FortiCloud IAM); false where there is no revoke call. */
	revokedAtService: boolean;
	/** A token was known (cached or stored) for this identity. */
	hadToken: boolean;
	message: string;
}

/** A lockout after failed logins: how many, for how long, and the appliance setting to name. */
export interface Lockout {
	failures: number;
	durationMs: number;
	setting: string;
}
