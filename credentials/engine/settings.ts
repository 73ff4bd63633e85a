/** Engine-wide tunables. Tests and benchmarks shorten them; the defaults suit production. */
export interface EngineSettings {
	/** Upper bound of the renew-before-expiry window (the window is min(this, 10 % of lifetime)). */
	maxSkewMs: number;
	/** Timeout of every call to a token endpoint. */
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
}

export const settings: EngineSettings = {
	maxSkewMs: 5 * 60 * 1000,
	timeoutMs: 20_000,
	maxRetryAfterMs: 10_000,
	cacheSize: 10_000,
	refusedLoginMemoryMs: 30_000,
};

export function configureEngine(changes: Partial<EngineSettings>): EngineSettings {
	Object.assign(settings, changes);
	return { ...settings };
}
