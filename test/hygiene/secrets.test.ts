/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals -- test and tool code runs in Node, not inside n8n: emulator fixtures, Node globals are its to use */
/**
 * Secret hygiene of everything a user or a log can see: drive every error path we can reach for
 * every service (faults on the token, refresh, revoke and resource endpoints, wrong passwords and
 * API credentials, TLS refusals, missing fields, a rejected pasted token, the node's
 * get/refresh/revoke calls), collect all that the errors expose — n8n's NodeApiError `message`,
 * `description`, `messages` and the JSON of its enumerable own properties — and everything written
 * to the console, stdout or stderr, and assert that no password, API credential (raw, base64,
 * `Basic <credential>`), access token or refresh token appears.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import {
	getToken,
	renewToken,
	revokeToken,
	SERVICES,
} from '../../credentials/engine';
import { FortiSaseApi } from '../../credentials/FortiSaseApi.credentials';
import type { Fault } from '../emulator';
import { Execution, n8nHelpers, StoredCredential } from '../support/n8n';
import { caseOf, SERVICE_CASES } from '../support/services';
import type { ServiceCase, TestUser } from '../support/services';
import {
	FAILING_TOKEN_FAULTS,
	issuedTokens,
	restoreTokenCalls,
	spyOnTokenCalls,
	TIMEOUT_MS,
} from '../faults/support';
import { shownText } from '../support/errors';
import { useEmulator } from '../support/emulator';

// One process: no other process to wait for (test/credentials/processes.test.ts covers that wait).
const emulator = useEmulator({
	emulator: { rateLimits: { fortilancloud: null, fortiedgecloud: null } },
	settings: { timeoutMs: TIMEOUT_MS, maxRetryAfterMs: 1500, peerWaitMs: 0 },
});

/** Every text a user or a log could see, with where it came from. */
const seen: Array<{ origin: string; text: string }> = [];
/** Every secret that must never appear in `seen`. */
const secrets = new Set<string>();
const errorsSeen: Record<string, number> = {};

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const writes = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };

function addSecret(value: unknown): void {
	if (typeof value !== 'string' || value.length < 6) return;
	secrets.add(value);
	secrets.add(Buffer.from(value).toString('base64'));
	secrets.add(encodeURIComponent(value));
}

function addUser(user: TestUser): void {
	addSecret(user.password);
	if (user.apiCredential) {
		addSecret(user.apiCredential);
		secrets.add(`Basic ${user.apiCredential}`);
	}
}

beforeAll(() => {
	spyOnTokenCalls();
	for (const method of consoleMethods) {
		jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
			seen.push({ origin: `console.${method}`, text: args.map((a) => (a instanceof Error ? shownText(a) : typeof a === 'string' ? a : JSON.stringify(a))).join(' ') });
		});
	}
	for (const stream of ['stdout', 'stderr'] as const) {
		jest.spyOn(process[stream], 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
			seen.push({ origin: `process.${stream}`, text: String(chunk) });
			return (writes[stream] as (...a: unknown[]) => boolean)(chunk, ...rest);
		}) as typeof process.stdout.write);
	}
});
afterAll(() => {
	jest.restoreAllMocks();
	restoreTokenCalls();
});

/** Runs a path expected to fail, keeps all the error exposes. Successful results are kept too (revoke messages). */
async function observe(origin: string, work: () => Promise<unknown>, keepSuccess = false): Promise<void> {
	try {
		const value = await work();
		if (keepSuccess) seen.push({ origin: `${origin} (result)`, text: JSON.stringify(value) });
	} catch (error) {
		seen.push({ origin, text: shownText(error) });
		errorsSeen[origin] = (errorsSeen[origin] ?? 0) + 1;
	}
}

function fresh(service: ServiceCase, patch: ICredentialDataDecryptedObject = {}): { user: TestUser; stored: StoredCredential; run: () => Promise<unknown> } {
	const user = service.newUser(emulator);
	addUser(user);
	const stored = new StoredCredential(service.credential(), { ...service.data(emulator, user), ...patch });
	return { user, stored, run: async () => await new Execution(stored).request(service.resource(emulator)) };
}

function rememberStored(stored: StoredCredential): void {
	addSecret(stored.data.sessionToken);
	addSecret(stored.data.refreshToken);
}

function leaksIn(entries: Array<{ origin: string; text: string }>): string[] {
	const leaks: string[] = [];
	for (const { origin, text } of entries) {
		for (const secret of secrets) {
			if (text.includes(secret)) leaks.push(`${origin}: contains ${secret.slice(0, 4)}… (${secret.length} chars)`);
		}
	}
	return leaks;
}

const descriptionOf = (service: ServiceCase) => SERVICES[service.type];

describe.each(SERVICE_CASES)('$type: error paths expose no secret', (service) => {
	test('faults on the token endpoint (Execution, the Test button, and the node\'s getToken)', async () => {
		for (const { name, fault } of FAILING_TOKEN_FAULTS) {
			const { stored, run } = fresh(service);
			emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 4, fault });
			await observe(`${service.type} token ${name}`, run);
			// The credential's Test button: n8n forces the hook with the stored token.
			await observe(`${service.type} test-button ${name}`, async () => await stored.preAuthentication(stored.load(), true));
			await observe(`${service.type} getToken ${name}`, async () => await getToken(descriptionOf(service), stored.load(), n8nHelpers));
			emulator.control.clearFaults();
		}
	});

	test('faults on the refresh endpoint, with live tokens known', async () => {
		const refreshFaults: Fault[] = [
			{ type: 'status', status: 500 },
			{ type: 'status', status: 401, body: JSON.stringify({ error: 'invalid_grant', error_description: 'Bad refresh token' }) },
			{ type: 'html' },
			{ type: 'malformedJson' },
			{ type: 'noToken' },
			{ type: 'rateLimit', retryAfter: 60 },
			{ type: 'reset' },
			{ type: 'delay', ms: 2000 },
		];
		for (const fault of refreshFaults) {
			const { stored, run } = fresh(service);
			await run();
			rememberStored(stored);
			emulator.control.expireAll(service.emulated);
			emulator.control.injectFault({ service: service.emulated, endpoint: 'refresh', count: 3, fault });
			// Failing logins too, so that a refresh fallback cannot hide the refresh error.
			emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 3, fault: { type: 'status', status: 500 } });
			await observe(`${service.type} refresh ${fault.type}`, run);
			await observe(`${service.type} node refresh ${fault.type}`, async () => await renewToken(descriptionOf(service), stored.load(), n8nHelpers));
			emulator.control.clearFaults();
			rememberStored(stored);
		}
	});

	test('faults on the protected API itself (the token is in the request n8n reports)', async () => {
		const resourceFaults: Fault[] = [{ type: 'status', status: 500 }, { type: 'status', status: 404 }, { type: 'html' }, { type: 'reset' }];
		for (const fault of resourceFaults) {
			const { stored, run } = fresh(service);
			await run();
			rememberStored(stored);
			emulator.control.injectFault({ service: service.emulated, endpoint: 'resource', count: 2, fault });
			await observe(`${service.type} resource ${fault.type}`, run);
			emulator.control.clearFaults();
			rememberStored(stored);
		}
	});

	test('wrong password, wrong API credential, missing fields', async () => {
		const wrong = fresh(service, { password: 'Wrong-Password-123!', apiSecret: 'ffffffff-0000-4000-8000-wrongwrongwr' });
		addSecret('Wrong-Password-123!');
		addSecret('ffffffff-0000-4000-8000-wrongwrongwr');
		secrets.add('Basic ffffffff-0000-4000-8000-wrongwrongwr');
		for (let i = 0; i < 3; i++) await observe(`${service.type} wrong secret`, wrong.run);
		await observe(`${service.type} wrong secret getToken`, async () => await getToken(descriptionOf(service), wrong.stored.load(), n8nHelpers));
		// (An empty URL field falls back to the real Fortinet host: not tried here, loopback only.)
		for (const field of ['username', 'password', 'apiSecret']) {
			const { run } = fresh(service, { [field]: '' });
			await observe(`${service.type} missing ${field}`, run);
		}
		const { run } = fresh(service, { baseUrl: 'not a url', authUrl: 'ftp://nowhere' });
		await observe(`${service.type} bad url`, run);
	});

	test('revoke: success, and faults on the revoke endpoint', async () => {
		const { stored, run } = fresh(service);
		await run();
		rememberStored(stored);
		await observe(`${service.type} revoke`, async () => await revokeToken(descriptionOf(service), stored.load(), n8nHelpers), true);
		await observe(`${service.type} revoke again`, async () => await revokeToken(descriptionOf(service), stored.load(), n8nHelpers), true);
		for (const fault of [{ type: 'status', status: 500 }, { type: 'html' }, { type: 'reset' }, { type: 'status', status: 401, body: '{"error":"Unexpected error has happened","status":"failure"}' }] as Fault[]) {
			const next = fresh(service);
			await next.run();
			rememberStored(next.stored);
			emulator.control.injectFault({ service: service.emulated, endpoint: 'revoke', count: 3, fault });
			await observe(`${service.type} revoke ${fault.type}`, async () => await revokeToken(descriptionOf(service), next.stored.load(), n8nHelpers), true);
			emulator.control.clearFaults();
		}
	});

	if (service.emulated === 'fac') {
		test('TLS refusals (no CA, a wrong CA)', async () => {
			const noCa = fresh(service, { caCertificate: '', ignoreSSLIssues: false });
			await observe('fac tls no CA', noCa.run);
			await observe('fac tls no CA getToken', async () => await getToken(descriptionOf(service), noCa.stored.load(), n8nHelpers));
			const wrongCa = fresh(service, { caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' });
			await observe('fac tls bad CA', wrongCa.run);
		});
	}
});

test('a rejected pasted FortiSASE access token is not echoed', async () => {
	const sase = caseOf('fortiSaseApi');
	const { stored } = fresh(sase);
	await new Execution(stored).request(sase.resource(emulator));
	const pasted = String(stored.data.sessionToken);
	addSecret(pasted);
	const holder = new StoredCredential(new FortiSaseApi(), { authMethod: 'accessToken', accessToken: pasted });
	emulator.control.expireAll('iam');
	await observe('sase pasted token rejected', async () => await new Execution(holder).request(sase.resource(emulator)));
	await observe('sase pasted token refresh', async () => await renewToken(SERVICES.fortiSaseApi, holder.load(), n8nHelpers));
	await observe('sase pasted token revoke', async () => await revokeToken(SERVICES.fortiSaseApi, holder.load(), n8nHelpers), true);
});

describe('nothing seen contains a secret', () => {
	test('the paths above were really driven (errors were collected for every service)', () => {
		for (const service of SERVICE_CASES) {
			const count = Object.entries(errorsSeen)
				.filter(([origin]) => origin.startsWith(`${service.type} `))
				.reduce((sum, [, n]) => sum + n, 0);
			expect(count).toBeGreaterThan(40);
		}
		expect(issuedTokens.size).toBeGreaterThan(50);
	});

	test('the leak detector finds a planted secret in every form (negative control)', () => {
		const [token] = [...issuedTokens];
		const planted = [
			{ origin: 'planted raw', text: `Authorization: Bearer ${token}` },
			{ origin: 'planted base64', text: Buffer.from(token).toString('base64') },
		];
		for (const token of issuedTokens) addSecret(token);
		expect(leaksIn(planted)).toHaveLength(2);
	});

	test('no password, API credential, access or refresh token in any error, result or console/stdout/stderr output', () => {
		for (const token of issuedTokens) addSecret(token);
		if (process.env.HYGIENE_DUMP) writes.stdout(`${JSON.stringify(seen.slice(0, 400), null, 1)}\n`);
		expect(seen.length).toBeGreaterThan(300);
		expect(leaksIn(seen)).toEqual([]);
	});
});
