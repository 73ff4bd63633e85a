/** Engine-wide tunables. Tests and benchmarks shorten them; the defaults suit production. */
export interface EngineSettings {
	/** Upper bound of the renew-before-expiry window (the window is min(this, renewalShare of lifetime)). */
	maxSkewMs: number;
	/** Share of a token's lifetime before its end in which it is renewed ahead (0.1: the last 10 %). */
	renewalShare: number;
	/** Total deadline of every call to a token endpoint (connect, headers and body). */
	timeoutMs: number;
	/** Longest `Retry-After` the engine waits out (once) before giving up on a 429. */
	maxRetryAfterMs: number;
	/** Identities kept in the token cache; the least recently used is evicted beyond this. */
	cacheSize: number;
	/**
	 * How long a refused login (wrong password, unknown client_id) is answered from memory instead
	 * of asking the service again. n8n calls the hook twice per failed request and every execution
	 * retries; Fortinet counts failed logins against the account.
	 */
	refusedLoginMemoryMs: number;
	/** Longest a 429 is remembered, whatever `Retry-After` said; *Force New Login* ignores it. */
	maxRateLimitMemoryMs: number;
	/** Largest token-endpoint answer read; a bigger or endless body is refused. */
	maxResponseBytes: number;
	/** Longest access or refresh token accepted (bytes). */
	maxTokenLength: number;
	/**
	 * After a failed renewal ahead of expiry, how long requests keep the still-valid token instead
	 * of each trying (and, with a hanging endpoint, waiting) again. Never past the token's expiry.
	 */
	earlyRenewalPauseMs: number;
	/**
	 * Where the service has no token check (FortiAuthenticator): a token renewed because a request
	 * failed is not renewed again for a failure within this time (a run of 404s costs one renewal;
	 * a token killed from outside within it is not noticed until it ends).
	 */
	failureRenewalQuietMs: number;
	/**
	 * Other n8n processes (queue-mode workers) share the identity but not this cache; what one
	 * renews, n8n stores with the credential and the others read at their next request. Before
	 * renewing a dead token that another process issued, or that this process issued and lost
	 * young (someone renewed after it), a renewal waits this long for a newer stored token to
	 * arrive with a concurrent request; a refused refresh token (another process used it) waits
	 * the same before the login.
	 */
	peerWaitMs: number;
	/**
	 * Longest wait after a refused refresh token before the login (see `Identity.#holdMs`): the wait
	 * grows with how long requests take, up to this.
	 */
	maxPeerHoldMs: number;
	/** How often a waiting renewal looks for that stored token. */
	peerPollMs: number;
	/** A token this process obtained that dies within this time was most likely replaced by another process. */
	peerEpisodeMs: number;
}

/** The production values. */
export const DEFAULT_SETTINGS: Readonly<EngineSettings> = Object.freeze({
	maxSkewMs: 5 * 60 * 1000,
	renewalShare: 0.1,
	timeoutMs: 20_000,
	maxRetryAfterMs: 10_000,
	cacheSize: 10_000,
	refusedLoginMemoryMs: 30_000,
	maxRateLimitMemoryMs: 5 * 60 * 1000,
	maxResponseBytes: 64 * 1024,
	maxTokenLength: 16 * 1024,
	earlyRenewalPauseMs: 30_000,
	failureRenewalQuietMs: 15_000,
	peerWaitMs: 3_000,
	maxPeerHoldMs: 60_000,
	peerPollMs: 50,
	peerEpisodeMs: 60_000,
});

export const settings: EngineSettings = { ...DEFAULT_SETTINGS };

export function configureEngine(changes: Partial<EngineSettings>): EngineSettings {
	Object.assign(settings, changes);
	return { ...settings };
}
