/**
 * Hooks for tests and benchmarks only: not exported from the engine's entry point, so nothing in
 * the package can reach them at run time.
 */
import { identities } from './cache';
import { clearLoginFailures } from './lockout';
import type { IdentitySnapshot } from './identity';
import { configureEngine, DEFAULT_SETTINGS } from './settings';
import type { EngineSettings } from './settings';

/** Forgets every cached token (an n8n restart, as far as this process is concerned). */
export function clearTokenCache(): void {
	identities.clear();
	clearLoginFailures();
}

export function tokenCacheSize(): number {
	return identities.size;
}

/** The cache's keys and a copy of each identity's state. */
export function tokenCacheSnapshot(): Array<[string, IdentitySnapshot]> {
	return identities.snapshot();
}

/** The engine as a new n8n process starts it: default settings (with `changes`), an empty cache. */
export function resetEngine(changes: Partial<EngineSettings> = {}): void {
	clearTokenCache();
	configureEngine({ ...DEFAULT_SETTINGS, ...changes });
}
