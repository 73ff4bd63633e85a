/**
 * What the engine keeps in memory and persists: cache keys are one-way hashes, entries hold no
 * password or API credential (only the tokens the engine needs to work), the list of superseded
 * tokens holds fingerprints, and the refused-login memory holds no secret.
 */
import { createHash } from 'crypto';

import {
	configureEngine,
	revokeToken,
	SERVICES,
	settings,
} from '../../credentials/engine';
import { clearTokenCache, tokenCacheSnapshot } from '../../credentials/engine/testing';
import { startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { Execution, n8nHelpers, StoredCredential } from '../support/n8n';
import { SERVICE_CASES } from '../support/services';
import type { ServiceCase, TestUser } from '../support/services';
import { issuedTokens, restoreTokenCalls, spyOnTokenCalls } from '../faults/support';
import { shownText } from '../support/errors';

const DEFAULTS = { ...settings };
let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator({ rateLimits: { fortilancloud: null, fortiedgecloud: null } });
	spyOnTokenCalls();
	clearTokenCache();
	configureEngine(DEFAULTS);
});
afterAll(async () => {
	restoreTokenCalls();
	clearTokenCache();
	await emulator.close();
});

const users: Array<{ service: ServiceCase; user: TestUser; stored: StoredCredential }> = [];
const wrongSecrets = ['Wrong-Password-cache-1', '00000000-1111-4222-8333-wrongcredent'];

function secretForms(value: string | undefined): string[] {
	if (!value || value.length < 6) return [];
	return [value, Buffer.from(value).toString('base64'), encodeURIComponent(value), `Basic ${value}`];
}

function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/** JSON of an entry without the fields the engine needs to hold a token (token/refreshToken), nor functions. */
function entryWithoutTokens(entry: Readonly<Record<string, unknown>>): string {
	const { token, refused, ...fields } = entry as Record<string, unknown> & {
		token?: Record<string, unknown>;
		refused?: { error: Error; until: number };
	};
	// The helpers (functions) and the pending renewal (a promise) are left out of the JSON.
	const rest = Object.fromEntries(Object.entries(fields).filter(([key]) => key !== 'helpers' && key !== 'inflight'));
	const tokenRest = token ? { ...token, accessToken: undefined, refreshToken: undefined } : undefined;
	return JSON.stringify({
		...rest,
		token: tokenRest,
		refused: refused ? { until: refused.until, error: shownText(refused.error), description: (refused.error as { description?: unknown }).description } : undefined,
	});
}

beforeAll(async () => {
	// A realistic mix for every service: logins, a renewal after an outside expiry, a superseded
	// token (forced renewal), a revoke, and a refused login with a wrong secret.
	for (const service of SERVICE_CASES) {
		for (let i = 0; i < 3; i++) {
			const user = service.newUser(emulator);
			const stored = new StoredCredential(service.credential(), service.data(emulator, user));
			await new Execution(stored).request(service.resource(emulator));
			users.push({ service, user, stored });
		}
		const [first, second, third] = users.slice(-3);
		emulator.control.expireAll(service.emulated);
		await new Execution(first.stored).request(service.resource(emulator));
		await first.stored.preAuthentication(first.stored.load(), true); // the Test button: a forced renewal
		await revokeToken(SERVICES[service.type], third.stored.load(), n8nHelpers);
		await new Execution(second.stored).request(service.resource(emulator));
		const wrong = new StoredCredential(service.credential(), {
			...service.data(emulator, service.newUser(emulator)),
			password: wrongSecrets[0],
			apiSecret: wrongSecrets[1],
		});
		await expect(new Execution(wrong).request(service.resource(emulator))).rejects.toThrow(/rejected the credentials/);
	}
}, 60_000);

test('the snapshot covers every identity used, including refused ones', () => {
	const snapshot = tokenCacheSnapshot();
	expect(snapshot.length).toBeGreaterThanOrEqual(SERVICE_CASES.length * 4);
	expect(snapshot.filter(([, entry]) => entry.refused).length).toBe(SERVICE_CASES.length);
	expect(snapshot.filter(([, entry]) => entry.dead.length > 0).length).toBeGreaterThanOrEqual(SERVICE_CASES.length);
});

test('cache keys (and the persisted tokenOwner) are 64-hex hashes, not a hash of the secret alone', () => {
	const keys = tokenCacheSnapshot().map(([key]) => key);
	for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
	for (const { user, stored } of users) {
		expect(String(stored.data.tokenOwner)).toMatch(/^[0-9a-f]{64}$/);
		for (const secret of [user.password, user.apiCredential]) {
			if (!secret) continue;
			expect(keys).not.toContain(sha256(secret));
			expect(String(stored.data.tokenOwner)).not.toBe(sha256(secret));
		}
	}
});

test('entries hold no password or API credential outside the token fields the engine needs', () => {
	const secrets = [...users.flatMap(({ user }) => [...secretForms(user.password), ...secretForms(user.apiCredential)]), ...wrongSecrets.flatMap(secretForms)];
	for (const [key, entry] of tokenCacheSnapshot()) {
		const text = entryWithoutTokens(entry as unknown as Record<string, unknown>);
		for (const secret of secrets) expect({ key, leaked: text.includes(secret) }).toEqual({ key, leaked: false });
		// Even the token fields hold tokens only, never a password.
		const tokenText = JSON.stringify(entry.token ?? {});
		for (const secret of secrets) expect(tokenText.includes(secret)).toBe(false);
	}
});

test('outside the token fields, no access or refresh token is held either', () => {
	expect(issuedTokens.size).toBeGreaterThan(SERVICE_CASES.length * 4);
	for (const [, entry] of tokenCacheSnapshot()) {
		const text = entryWithoutTokens(entry as unknown as Record<string, unknown>);
		for (const token of issuedTokens) expect(text.includes(token)).toBe(false);
	}
});

test('the dead-token list holds 32-hex fingerprints, never a token', () => {
	let fingerprints = 0;
	for (const [, entry] of tokenCacheSnapshot()) {
		for (const item of entry.dead) {
			fingerprints++;
			expect(item).toMatch(/^[0-9a-f]{32}$/);
			expect(issuedTokens.has(item)).toBe(false);
			for (const token of issuedTokens) expect(token.includes(item) || item.includes(token)).toBe(false);
		}
	}
	expect(fingerprints).toBeGreaterThanOrEqual(SERVICE_CASES.length * 2);
});

test('the refused-login memory holds a scrubbed error only', () => {
	const refused = tokenCacheSnapshot().filter(([, entry]) => entry.refused);
	expect(refused.length).toBe(SERVICE_CASES.length);
	for (const [, entry] of refused) {
		const { error, until } = entry.refused!;
		expect(until).toBeGreaterThan(Date.now());
		expect(Object.keys(entry.refused!).sort()).toEqual(['error', 'until']);
		const text = `${shownText(error)} ${String((error as { description?: unknown }).description ?? '')} ${String(error.stack ?? '')}`;
		for (const secret of wrongSecrets.flatMap(secretForms)) expect(text).not.toContain(secret);
		expect(text).toMatch(/rejected the credentials/);
	}
});

test('a credential persists only hashes and tokens: no copy of the secret in the hidden fields', () => {
	for (const { user, stored } of users) {
		const hidden = JSON.stringify({
			sessionToken: stored.data.sessionToken,
			refreshToken: stored.data.refreshToken,
			expiresAt: stored.data.expiresAt,
			tokenOwner: stored.data.tokenOwner,
		});
		for (const secret of [...secretForms(user.password), ...secretForms(user.apiCredential)]) expect(hidden).not.toContain(secret);
	}
});
