/**
 * Hooks for tests and benchmarks only: not exported from the engine's entry point, so nothing in
 * the package can reach them at run time.
 */
import type { CacheEntry } from './cache';
import { cache } from './state';

/** Forgets every cached token (an n8n restart, as far as this process is concerned). */
export function clearTokenCache(): void {
	cache.clear();
}

export function tokenCacheSize(): number {
	return cache.size;
}

/** The cache's keys and entries, as they are held in memory. */
export function tokenCacheSnapshot(): Array<[string, Readonly<CacheEntry>]> {
	return cache.snapshot();
}
