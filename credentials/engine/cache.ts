import { createHash } from 'crypto';

import type { Connection, RequestHelpers, TokenSet } from './types';

const SUPERSEDED_KEPT = 8;

export interface CacheEntry {
	token?: TokenSet;
	/** The renewal under way: every concurrent caller awaits this one promise (single-flight). */
	inflight?: Promise<TokenSet>;
	/** The last n8n helpers seen for this identity, so `authenticate` can renew ahead of expiry. */
	helpers?: RequestHelpers;
	/** Fingerprints of tokens this process replaced or revoked: known dead, never sent again. */
	superseded: string[];
	/** A login the service refused, answered from memory until `until` (epoch ms). */
	refused?: { error: Error; until: number };
}

function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/** A short, one-way fingerprint of a token: lets the cache recognise a token without keeping it twice. */
export function fingerprint(token: string): string {
	return sha256(`fortinet-token:${token}`).slice(0, 32);
}

/**
 * The identity a token belongs to: service, URL, user or API credential, client_id and a hash of the
 * secret (a changed password is a new identity). Only this hash is kept as the key; it is also
 * persisted as `tokenOwner` so a stored refresh token is only reused by the identity it was issued to.
 */
export function identityKey(credentialType: string, connection: Connection): string {
	const secret = connection.grant === 'apiCredential' ? connection.apiCredential : connection.password;
	// One digest over everything; the secret is only an input to it, never kept.
	return sha256(
		JSON.stringify([
			'fortinet-token-identity-v1',
			credentialType,
			connection.baseUrl.toLowerCase(),
			connection.grant,
			connection.username ?? '',
			connection.clientId ?? '',
			secret ?? '',
		]),
	);
}

/** Least-recently-used map of identities to tokens, shared by every execution in the n8n process. */
export class TokenCache {
	private readonly entries = new Map<string, CacheEntry>();

	constructor(private readonly capacity: () => number) {}

	get size(): number {
		return this.entries.size;
	}

	get(key: string): CacheEntry | undefined {
		const entry = this.entries.get(key);
		if (entry) {
			this.entries.delete(key);
			this.entries.set(key, entry);
		}
		return entry;
	}

	obtain(key: string): CacheEntry {
		const existing = this.get(key);
		if (existing) return existing;
		const entry: CacheEntry = { superseded: [] };
		this.entries.set(key, entry);
		const limit = Math.max(1, this.capacity());
		for (const oldest of this.entries.keys()) {
			if (this.entries.size <= limit) break;
			this.entries.delete(oldest);
		}
		return entry;
	}

	clear(): void {
		this.entries.clear();
	}

	/** Read-only view for tests and benchmarks (what the cache holds, and under which keys). */
	snapshot(): Array<[string, Readonly<CacheEntry>]> {
		return [...this.entries.entries()];
	}
}

/** Remembers a token (access or refresh) as dead: it is never sent or used again. */
export function markDead(entry: CacheEntry, token: string): void {
	entry.superseded.push(fingerprint(token));
	if (entry.superseded.length > SUPERSEDED_KEPT) entry.superseded.shift();
}

/** Replaces the entry's token, remembering the old one as dead. */
export function replaceToken(entry: CacheEntry, token: TokenSet | undefined): void {
	if (entry.token && entry.token.accessToken !== token?.accessToken) markDead(entry, entry.token.accessToken);
	entry.token = token;
}

export function isSuperseded(entry: CacheEntry, token: string): boolean {
	return entry.superseded.includes(fingerprint(token));
}
