import { createHash } from 'crypto';

import type { Connection, Liveness, Protocol, RequestHelpers, TokenSet } from './types';

const DEAD_KEPT = 8;

/** n8n's request functions, held weakly: an execution's helpers must not outlive the execution. */
export interface KeptHelpers {
	httpRequest?: WeakRef<NonNullable<RequestHelpers['httpRequest']>>;
	request?: WeakRef<NonNullable<RequestHelpers['request']>>;
}

/** One identity's state in this n8n process. */
export interface CacheEntry {
	token?: TokenSet;
	/** The renewal under way: every concurrent caller awaits this one promise (single flight). */
	renewal?: Promise<TokenSet>;
	/** A revocation under way: renewals asked for meanwhile start after it. */
	revocation?: Promise<unknown>;
	/**
	 * The liveness check under way (token fingerprint and verdict), and the one queued after it for
	 * callers whose failure came after it was sent: an "alive" may predate their failure.
	 */
	check?: { token: string; verdict: Promise<Liveness>; next?: Promise<Liveness> };
	/** The service has no token check (it answered 404/405): judged without one from now on. */
	checkUnsupported?: boolean;
	/** Hooks and operations working with this entry right now: it is not evicted under them. */
	users: number;
	/** The request functions of the latest caller that had them, so `authenticate` can renew ahead. */
	helpers?: KeptHelpers;
	/** Fingerprints of tokens this process replaced or revoked: known dead, never sent again. */
	dead: string[];
	/** A login the service refused, answered from memory until `until` (epoch ms). */
	refused?: { error: Error; until: number };
	/** Until when renewing ahead of expiry is not tried again after it failed (epoch ms). */
	earlyRenewalPausedUntil?: number;
	/** When the current token was obtained because a request failed and the service could not say why. */
	renewedAfterFailureAt?: number;
	/** The last token this process obtained itself (fingerprint and when), not adopted from the store. */
	obtainedHere?: { token: string; at: number };
}

function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/** A short, one-way fingerprint of a token: lets the cache recognise a token without keeping it twice. */
export function fingerprint(token: string): string {
	return sha256(`fortinet-token:${token}`).slice(0, 32);
}

/**
 * The identity a token belongs to: token service (protocol family and URL), user or API credential,
 * client_id and a hash of the secret (a changed password is a new identity). Not the credential
 * type: FortiLAN Cloud and FortiCloud IAM with client_id fortilancloud are one API user with one
 * token. Only this hash is kept as the key; it is also persisted as `tokenOwner` so a stored
 * refresh token is only reused by the identity it was issued to.
 */
export function identityKey(protocol: Protocol, connection: Connection): string {
	const secret = connection.grant === 'apiCredential' ? connection.apiCredential : connection.password;
	// One digest over everything; the secret is only an input to it, never kept.
	return sha256(
		JSON.stringify([
			'fortinet-token-identity-v2',
			protocol.family,
			connection.baseUrl.toLowerCase(),
			connection.grant,
			connection.username ?? '',
			connection.clientId ?? '',
			secret ?? '',
			// A session belongs to its instance too; absent for the other services, whose keys stay as they were.
			...(connection.apiUrl ? [connection.apiUrl.toLowerCase()] : []),
		]),
	);
}

function isBusy(entry: CacheEntry): boolean {
	return entry.users > 0 || entry.renewal !== undefined || entry.revocation !== undefined || entry.check !== undefined;
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
		const entry: CacheEntry = { dead: [], users: 0 };
		this.entries.set(key, entry);
		this.evict(key);
		return entry;
	}

	/**
	 * Drops the least recently used entries beyond capacity, never one in use (a hook between its
	 * awaits, a renewal, revocation or check under way): its callers would start a second one. The map may exceed capacity by the
	 * number of busy entries, which concurrency bounds.
	 */
	private evict(added: string): void {
		const limit = Math.max(1, this.capacity());
		if (this.entries.size <= limit) return;
		for (const [key, entry] of this.entries) {
			if (this.entries.size <= limit) break;
			// Never the entry just handed out: its caller is about to use it.
			if (key !== added && !isBusy(entry)) this.entries.delete(key);
		}
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
	entry.dead.push(fingerprint(token));
	if (entry.dead.length > DEAD_KEPT) entry.dead.shift();
}

/** Replaces the entry's token, remembering the old one as dead. */
export function replaceToken(entry: CacheEntry, token: TokenSet | undefined): void {
	if (entry.token && entry.token.accessToken !== token?.accessToken) markDead(entry, entry.token.accessToken);
	entry.token = token;
	entry.renewedAfterFailureAt = undefined;
}

export function isDead(entry: CacheEntry, token: string): boolean {
	return entry.dead.includes(fingerprint(token));
}
