import { createHash } from 'crypto';

import { Identity } from './identity';
import type { IdentitySnapshot } from './identity';
import { settings } from './settings';
import type { Connection, Protocol } from './types';

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
	return createHash('sha256')
		.update(
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
				...(connection.variant ? [connection.variant] : []),
			]),
		)
		.digest('hex');
}

/** Least-recently-used map of identities, shared by every execution in the n8n process. */
export class IdentityCache {
	private readonly identities = new Map<string, Identity>();

	constructor(private readonly capacity: () => number) {}

	get size(): number {
		return this.identities.size;
	}

	get(key: string): Identity | undefined {
		const identity = this.identities.get(key);
		if (identity) {
			this.identities.delete(key);
			this.identities.set(key, identity);
		}
		return identity;
	}

	obtain(key: string): Identity {
		const existing = this.get(key);
		if (existing) return existing;
		const identity = new Identity();
		this.identities.set(key, identity);
		this.evict(key);
		return identity;
	}

	/**
	 * Drops the least recently used identities beyond capacity, never one in use (a hook between
	 * its awaits, a renewal, revocation or check under way): its callers would start a second one.
	 * The map may exceed capacity by the number of busy identities, which concurrency bounds.
	 */
	private evict(added: string): void {
		const limit = Math.max(1, this.capacity());
		if (this.identities.size <= limit) return;
		for (const [key, identity] of this.identities) {
			if (this.identities.size <= limit) break;
			// Never the identity just handed out: its caller is about to use it.
			if (key !== added && !identity.busy) this.identities.delete(key);
		}
	}

	clear(): void {
		this.identities.clear();
	}

	/** Read-only copies for tests and benchmarks (what the cache holds, and under which keys). */
	snapshot(): Array<[string, IdentitySnapshot]> {
		return [...this.identities.entries()].map(([key, identity]) => [key, identity.snapshot()]);
	}
}

/** The engine's memory in this n8n process (module state lives as long as the process). */
export const identities = new IdentityCache(() => settings.cacheSize);
