/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tool code runs in Node, not inside n8n: emulator fixtures are its to use */
/**
 * This package in a real n8n (N8N_VERSION, default the newest): built, packed and installed into the user folder's nodes
 * directory as a user's n8n would load it, against the emulator started in this process.
 * The CLI part runs `n8n execute` (a new n8n process each time, so persistence across processes is
 * exercised); the server part runs one `n8n start` for webhooks, schedules and the Test button.
 */
import axios from 'axios';

import { SERVICES } from '../../credentials/engine';
import { startEmulator, userCounters } from '../emulator';
import type { Emulator, EmulatedService } from '../emulator';
import { caseOf, emsCloudCase, SERVICE_CASES, SESSION_CASES } from '../support/services';
import type { ServiceCase, SessionCase, TestUser } from '../support/services';
import { buildPackage, cleanupAll, ensureN8n, findSecrets, n8nVersion, nodeError, nodeItems, N8nEnv, N8nServer, REPO_ROOT } from './n8n';
import type { ExportedCredential } from './n8n';
import {
	chain,
	httpWithCredential,
	httpJsonRpc,
	httpWithHeaderExpression,
	httpWithJsonBody,
	manualTrigger,
	scheduleEverySeconds,
	tokenNode,
	webhookTrigger,
} from './workflows';
import type { CredentialRef } from './workflows';

jest.setTimeout(240_000);

const PACKAGE = 'n8n-nodes-fortinet-token';

let emulator: Emulator;
let env: N8nEnv;
/** The FortiGate API-key credential the key test saved, for the Test button. */
let fortiGateKey: { credential: CredentialRef; data: Record<string, unknown>; username: string } | undefined;
/** Every secret the suite hands to n8n or n8n obtained: none may appear in n8n's output. */
const secrets = new Set<string>();

interface Account {
	service: ServiceCase;
	user: TestUser;
	credential: CredentialRef;
	node: string;
}

const accounts: Account[] = [];

function credentialId(index: number): string {
	return `fortiE2eCred${String(index).padStart(4, '0')}`;
}

function resourceOf(service: ServiceCase): { method: 'GET' | 'POST'; url: string } {
	const request = service.resource(emulator);
	return { method: (request.method as 'GET' | 'POST') ?? 'GET', url: String(request.uri) };
}

function countersOf(account: Pick<Account, 'service' | 'user'>) {
	return userCounters(emulator.control.stats(), account.service.emulated, account.service.userKey(account.user));
}

/**
 * A new user of `service` per variant, each with a credential of that service's data changed by the
 * variant (ids from `firstId` on), imported in one CLI call.
 */
async function importVariants(
	service: ServiceCase,
	firstId: number,
	variants: Array<{ name: string; data: Record<string, unknown> }>,
): Promise<Array<{ service: ServiceCase; user: TestUser; credential: CredentialRef }>> {
	const made = variants.map((variant, index) => {
		const user = service.newUser(emulator);
		secrets.add(user.password);
		return { service, user, credential: { id: credentialId(firstId + index), name: variant.name, type: service.type }, data: variant.data };
	});
	await env.importCredentials(made.map(({ service: s, user, credential, data }) => ({ ...credential, data: { ...s.data(emulator, user), ...data } })));
	return made;
}

/**
 * The logs without what the Token node's Get output for a session, as `n8n execute` prints it (the
 * user asked for it): `"session": "<s>"`, and its `"headers"` whose Cookie is the same text. A
 * session anywhere else (a logged request header, say) is still found.
 */
function withoutSessionOutputs(logs: string, sessions: string[]): string {
	let text = logs;
	for (const session of sessions) {
		const quoted = session.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		text = text.replace(new RegExp(`"session": "${quoted}",\\s*"headers": \\{\\s*"Cookie": "${quoted}"`, 'g'), '"session": "(output)"');
		text = text.split(`"session": "${session}"`).join('"session": "(output)"');
	}
	return text;
}

function rememberSecrets(exported: ExportedCredential[]): void {
	for (const credential of exported) {
		for (const field of ['password', 'apiSecret', 'refreshToken', 'accessToken']) {
			const value = credential.data[field];
			if (typeof value === 'string' && value.length >= 6) secrets.add(value);
		}
	}
}

/** What n8n persisted for each credential, by id (one `n8n export:credentials` call). */
async function persistedAll(): Promise<Map<string, Record<string, unknown>>> {
	const exported = await env.exportCredentials();
	rememberSecrets(exported);
	return new Map(exported.map((credential) => [credential.id, credential.data]));
}

async function persisted(id: string): Promise<Record<string, unknown>> {
	const found = (await persistedAll()).get(id);
	if (!found) throw new Error(`credential ${id} not persisted`);
	return found;
}

beforeAll(async () => {
	ensureN8n();
	buildPackage();
	// FortiLAN's 6-logins-a-minute limit is switched on for the webhook burst below.
	// FortiGate sessions idle out after 5 minutes by default, less than this suite's run between
	// two uses of one: an hour here, as many FortiGates are set (admintimeout 60).
	// The other appliances likewise (FortiMail's default is 5 minutes): the credentials say an hour.
	emulator = await startEmulator({ rateLimits: { fortilancloud: null, fortiedgecloud: null }, lifetimes: { fgt: 3600, ems: 3600, fml: 3600, adc: 3600 } });
	env = await N8nEnv.create({ logLevel: 'debug', installPackageFrom: REPO_ROOT });

	SERVICE_CASES.forEach((service, index) => {
		const user = service.newUser(emulator);
		const credential = { id: credentialId(index + 1), name: `${service.label} (emulator)`, type: service.type };
		accounts.push({ service, user, credential, node: service.label });
		for (const secret of [user.password, user.apiCredential]) if (secret) secrets.add(secret);
	});
	await env.importCredentials(
		accounts.map(({ service, user, credential }) => ({ ...credential, data: { ...service.data(emulator, user), ...service.lifetimeData?.(3600) } })),
	);
}, 15 * 60_000);

afterAll(async () => {
	await env?.cleanup();
	cleanupAll();
	await emulator?.close();
});

describe('CLI executions (n8n execute: a new n8n process per run)', () => {
	let everyService: string;

	beforeAll(async () => {
		everyService = await env.importWorkflow(
			chain('every service', [
				manualTrigger(),
				...accounts.map((account) => {
					const { method, url } = resourceOf(account.service);
					return httpWithCredential(account.node, account.credential, method, url);
				}),
			]),
		);
	});

	test('the package is loaded from <userFolder>/.n8n/nodes, as a community package', () => {
		expect(env.installed?.name).toBe(PACKAGE);
		expect(env.installed?.installedDir).toContain('/.n8n/nodes/node_modules/n8n-nodes-fortinet-token');
	});

	test('HTTP Request with each predefined credential: one login each, the emulator saw that Bearer (or session)', async () => {
		const result = await env.execute(everyService);
		expect(result.exitCode).toBe(0);
		expect(result.stdout + result.stderr).toContain(`Loaded all credentials and nodes from ${PACKAGE}`);
		const all = await persistedAll();
		for (const account of accounts) {
			expect(nodeItems(result.output, account.node)).toHaveLength(1);
			const stored = all.get(account.credential.id)!;
			expect(countersOf(account)).toMatchObject({ logins: 1, refreshes: 0, apiAccepted: 1, apiRejected: 0 });
			expect(countersOf(account).authorizations).toEqual([account.service.carried(String(stored.sessionToken))]);
			expect(String(stored.tokenOwner)).toMatch(/^[0-9a-f]{64}$/);
		}
	});

	test('a second execution (another process) reuses the persisted tokens: no login', async () => {
		const result = await env.execute(everyService);
		expect(result.exitCode).toBe(0);
		for (const account of accounts) {
			expect(countersOf(account)).toMatchObject({ logins: 1, refreshes: 0, apiAccepted: 2, apiRejected: 0 });
		}
	});

	test('after the emulator expires every token, the next execution recovers with one renewal, not a failure', async () => {
		for (const service of ['iam', 'casb', 'cwp', 'fac', 'fgt', 'ems', 'fml', 'adc'] as EmulatedService[]) emulator.control.expireAll(service);
		const result = await env.execute(everyService);
		expect(result.exitCode).toBe(0);
		const all = await persistedAll();
		for (const account of accounts) {
			// A fresh process cannot know the stored token died: one rejected call (FortiCASB/CWP,
			// FortiGate: and the engine's check of it at the API), one refresh (FortiGate: a new
			// session, a dead one cannot be kept alive).
			const renewal = account.service.keepalive ? { logins: 2, refreshes: 0 } : { logins: 1, refreshes: 1 };
			expect(countersOf(account)).toMatchObject({ ...renewal, apiAccepted: 3, apiRejected: account.service.checkedAtApi ? 2 : 1 });
			const stored = all.get(account.credential.id)!;
			expect(countersOf(account).authorizations.at(-1)).toBe(account.service.carried(String(stored.sessionToken)));
		}
	});

	test('Fortinet Token node: Get → HTTP Request with an Authorization expression → Revoke', async () => {
		const lan = accounts.find((account) => account.service.type === 'fortiLanCloudApi')!;
		const { url } = resourceOf(lan.service);
		const id = await env.importWorkflow(
			chain('token node', [
				manualTrigger(),
				tokenNode('Get Token', lan.credential, 'getToken'),
				httpWithHeaderExpression('Call with token', url),
				tokenNode('Revoke Token', lan.credential, 'revokeToken'),
			]),
		);
		const before = { ...countersOf(lan) };
		const result = await env.execute(id);
		expect(result.exitCode).toBe(0);
		const [got] = nodeItems(result.output, 'Get Token');
		const stored = await persisted(lan.credential.id);
		// The node handed out the token the credential layer persisted: no login needed.
		expect(got).toMatchObject({
			service: 'FortiLAN Cloud',
			tokenType: 'Bearer',
			accessToken: stored.sessionToken,
			authorizationHeader: `Bearer ${String(stored.sessionToken)}`,
			fromCache: true,
		});
		expect(got).not.toHaveProperty('refreshToken');
		expect(nodeItems(result.output, 'Call with token')).toHaveLength(1);
		expect(nodeItems(result.output, 'Revoke Token')).toEqual([
			expect.objectContaining({ service: 'FortiLAN Cloud', revoked: true, hadToken: true }),
		]);
		const after = countersOf(lan);
		expect(after.logins - before.logins).toBe(0);
		expect(after.revokes - before.revokes).toBe(2); // access and refresh token
		expect(after.authorizations.at(-1)).toBe(`Bearer ${String(stored.sessionToken)}`);
		// The revoked token is dead at the service…
		const probe = await axios.get(url, { headers: { Authorization: `Bearer ${String(stored.sessionToken)}` }, validateStatus: () => true });
		expect(probe.status).toBe(401);
		// …and the next HTTP Request execution logs in again instead of failing.
		const next = await env.execute(everyService);
		expect(next.exitCode).toBe(0);
		expect(countersOf(lan).logins - after.logins).toBe(1);
	});

	test('FortiGate (FortiOS 7.6.4: cookies): a write carries the CSRF token; Get → Revoke logs the session out', async () => {
		// Its own administrator: the shared FortiGate account's stored session stays alive for the tests below.
		const service = caseOf('fortiOsApi');
		const fgt = { service, user: service.newUser(emulator) };
		const credential = { id: credentialId(90), name: 'FortiGate cookie session (emulator)', type: service.type };
		await env.importCredentials([{ ...credential, data: service.data(emulator, fgt.user) }]);
		const address = JSON.stringify({ name: 'n8n-e2e', subnet: '192.0.2.20 255.255.255.255' });
		const id = await env.importWorkflow(
			chain('fortigate', [
				manualTrigger(),
				httpWithJsonBody('Create address', credential, 'POST', `${emulator.urls.fgt}/api/v2/cmdb/firewall/address`, address),
				tokenNode('Get Token', credential, 'getToken'),
				tokenNode('Revoke Token', credential, 'revokeToken'),
			]),
		);
		emulator.control.configureFortiOs({ firmware: '7.6.4' });
		try {
			const result = await env.execute(id);
			expect(nodeError(result.output, 'Create address')).toBeUndefined();
			expect(result.exitCode).toBe(0);
			expect(nodeItems(result.output, 'Create address')[0]).toMatchObject({ status: 'success', results: { mkey: 'n8n-e2e' } });
			const [got] = nodeItems(result.output, 'Get Token');
			expect(got).toMatchObject({ service: 'FortiGate (FortiOS)', fromCache: true, session: expect.stringMatching(/^session_key_/) as unknown as string });
			expect(nodeItems(result.output, 'Revoke Token')[0]).toMatchObject({ revoked: true, hadToken: true });
			expect(countersOf(fgt)).toMatchObject({ logins: 1, apiAccepted: 1, apiRejected: 0, revokes: 1 });
			expect(countersOf(fgt).authorizations).toEqual([expect.stringMatching(/^Cookie session_key_/)]);
			expect(emulator.control.openSessions('fgt', fgt.user.username)).toBe(0);
		} finally {
			emulator.control.configureFortiOs({ firmware: '7.4' });
		}
	});

	test('EMS (and EMS Cloud), FortiMail, FortiADC: a write through HTTP Request carries the session (EMS: CSRF and Referer); Get → Revoke logs each out', async () => {
		// Their own administrators: the shared accounts' stored sessions stay alive for the tests below.
		const created = { result: { retval: 1, message: 'Created.' } };
		const writes = [
			{ service: caseOf('fortiClientEmsApi'), path: '/api/v1/endpoints/tag', body: '{ "tag": "n8n" }', answer: created, headers: ['Cookie', 'X-CSRFToken', 'Referer'] },
			{ service: emsCloudCase(), path: '/api/public/v1/endpoints/tag/', body: '{ "tag": "n8n" }', answer: created, headers: ['Authorization'] },
			{ service: caseOf('fortiMailApi'), path: '/api/v1/Domain/', body: '{ "mkey": "example.org" }', answer: { mkey: 'example.org' }, headers: ['Cookie'] },
			{ service: caseOf('fortiAdcApi'), path: '/api/load_balance_virtual_server', body: '{ "mkey": "vs-n8n" }', answer: { payload: 0 }, headers: ['Authorization', 'Cookie'] },
		];
		const appliances = writes.map((write, index) => {
			const user = write.service.newUser(emulator);
			for (const secret of [user.password, user.apiCredential]) if (secret) secrets.add(secret);
			return { ...write, user, credential: { id: credentialId(80 + index), name: `${write.service.label} e2e (emulator)`, type: write.service.type } };
		});
		await env.importCredentials(appliances.map(({ service, user, credential }) => ({ ...credential, data: service.data(emulator, user) })));
		const id = await env.importWorkflow(
			chain('appliances', [
				manualTrigger(),
				...appliances.flatMap(({ service, credential, path, body }) => [
					httpWithJsonBody(`${service.label} write`, credential, 'POST', `${emulator.urls[service.emulated]}${path}`, body),
					tokenNode(`${service.label} Get`, credential, 'getToken'),
					tokenNode(`${service.label} Revoke`, credential, 'revokeToken'),
				]),
			]),
		);
		const result = await env.execute(id);
		expect(result.exitCode).toBe(0);
		const all = await persistedAll();
		for (const { service, user, credential, answer, headers } of appliances) {
			expect(nodeItems(result.output, `${service.label} write`)[0]).toMatchObject(answer);
			const [got] = nodeItems(result.output, `${service.label} Get`);
			expect(got).toMatchObject({ service: SERVICES[service.type].label, fromCache: true, session: all.get(credential.id)?.sessionToken });
			expect(Object.keys(got.headers as object).sort()).toEqual([...headers].sort());
			expect(nodeItems(result.output, `${service.label} Revoke`)[0]).toMatchObject({ revoked: true, hadToken: true });
			const seen = userCounters(emulator.control.stats(), service.emulated, user.username);
			expect(seen).toMatchObject({ logins: 1, apiAccepted: 1, apiRejected: 0, revokes: 1 });
			expect(seen.authorizations).toEqual([service.carried(String(got.session))]);
			expect(emulator.control.openSessions(service.emulated, user.username)).toBe(0);
		}
	});

	test('FortiGate API key: a Bearer header, never the URL, on current FortiOS; Get outputs nothing secret', async () => {
		const service = caseOf('fortiOsApi');
		const key = `e2ekey${Date.now()}${Math.random().toString(36).slice(2)}`;
		const user = { username: `api-admin-${Date.now()}`, apiCredential: key };
		emulator.control.addUser('fgt', user);
		secrets.add(key);
		const credential = { id: credentialId(91), name: 'FortiGate API key (emulator)', type: service.type };
		const data = { baseUrl: emulator.urls.fgt, authentication: 'apiKey', apiKey: key, ignoreSSLIssues: false, caCertificate: emulator.caCertificate };
		await env.importCredentials([{ ...credential, data }]);
		fortiGateKey = { credential, data, username: user.username };
		const id = await env.importWorkflow(
			chain('fortigate api key', [
				manualTrigger(),
				httpWithCredential('Read addresses', credential, 'GET', `${emulator.urls.fgt}/api/v2/cmdb/firewall/address?vdom=root`),
				tokenNode('Get Token', credential, 'getToken'),
			]),
		);
		const result = await env.execute(id);
		expect(nodeError(result.output, 'Read addresses')).toBeUndefined();
		expect(result.exitCode).toBe(0);
		expect(nodeItems(result.output, 'Read addresses')[0]).toMatchObject({ status: 'success', vdom: 'root' });
		const [got] = nodeItems(result.output, 'Get Token');
		expect(got).toMatchObject({ service: 'FortiGate (FortiOS)' });
		expect(JSON.stringify(result.output)).not.toContain(key);
		const seenByFortiGate = userCounters(emulator.control.stats(), 'fgt', user.username);
		// FortiOS 7.4.5+ refuses a key in ?access_token= (the emulator's default): none was sent.
		expect(seenByFortiGate).toMatchObject({ apiAccepted: 1, apiRejected: 0, logins: 0, authorizations: [`Bearer ${key}`] });
	});

	test('eight missing FortiLAN switches looked up in one run: the API\'s own 404 each time, no renewal, no 429', async () => {
		emulator.control.setRateLimit('fortilancloud', { max: 6, windowMs: 60_000 });
		try {
			const lan = accounts.find((account) => account.service.type === 'fortiLanCloudApi')!;
			const base = emulator.urls.iam;
			const lookups = Array.from({ length: 8 }, (_, n) => {
				const lookup = httpWithCredential(`Missing ${n}`, lan.credential, 'GET', `${base}/api/v1/switches/MISSING-${n}`);
				// The user's "continue on fail": every lookup runs, each reports its own error.
				return { ...lookup, onError: 'continueRegularOutput' as const };
			});
			const id = await env.importWorkflow(chain('missing switches', [manualTrigger(), ...lookups]));
			const before = { ...countersOf(lan) };
			const result = await env.execute(id);
			expect(result.exitCode).toBe(0);
			for (let n = 0; n < 8; n++) {
				const [item] = nodeItems(result.output, `Missing ${n}`);
				expect(JSON.stringify(item)).toMatch(/could not be found|404/i);
				// (A timestamp in the item may contain "429": match the messages n8n and the engine write.)
				expect(JSON.stringify(item)).not.toMatch(/rate limit|\(HTTP 429\)|expired/i);
			}
			const after = countersOf(lan);
			expect(after.logins + after.refreshes).toBe(before.logins + before.refreshes);
			expect(after.rateLimited).toBe(0);
			expect(after.tokenChecks - before.tokenChecks).toBe(8);
		} finally {
			emulator.control.setRateLimit('fortilancloud', null);
		}
	});

	test('"Specific Domains": a listed token host works; an unlisted one is named in the error and never sees the password', async () => {
		const lan = caseOf('fortiLanCloudApi');
		const [listed, unlisted] = await importVariants(lan, 80, [
			{ name: 'FortiLAN Cloud (listed)', data: { allowedHttpRequestDomains: 'domains', allowedDomains: 'fortinet.example, 127.0.0.1' } },
			{ name: 'FortiLAN Cloud (unlisted)', data: { allowedHttpRequestDomains: 'domains', allowedDomains: 'fortinet.example' } },
		]);
		const { url } = resourceOf(lan);
		const works = await env.execute(await env.importWorkflow(chain('listed domain', [manualTrigger(), httpWithCredential('FortiLAN Cloud', listed.credential, 'GET', url)])));
		expect(works.exitCode).toBe(0);
		expect(nodeItems(works.output, 'FortiLAN Cloud')).toHaveLength(1);
		expect(countersOf(listed)).toMatchObject({ logins: 1, apiAccepted: 1 });

		const named = 'The credential\'s "Allowed HTTP Request Domains" do not include 127.0.0.1, where FortiLAN Cloud issues its tokens: add 127.0.0.1 to the list.';
		const viaNode = await env.execute(await env.importWorkflow(chain('unlisted domain, token node', [manualTrigger(), tokenNode('Get Token', unlisted.credential, 'getToken')])));
		expect(viaNode.exitCode).toBe(1);
		expect(nodeError(viaNode.output, 'Get Token')?.message).toBe(named);
		// The HTTP Request node checks its own URL against the same list (n8n's words) or asks for
		// the token first (ours): either way the user is told to add 127.0.0.1.
		const viaHttp = await env.execute(await env.importWorkflow(chain('unlisted domain, http', [manualTrigger(), httpWithCredential('FortiLAN Cloud', unlisted.credential, 'GET', url)])));
		expect(viaHttp.exitCode).toBe(1);
		expect(nodeError(viaHttp.output, 'FortiLAN Cloud')?.message).toMatch(/127\.0\.0\.1/);
		expect(countersOf(unlisted).logins).toBe(0);
	});

	test('FortiAuthenticator with "Ignore SSL Issues" and no CA: works, for that credential only', async () => {
		const fac = caseOf('fortiAuthenticatorApi');
		const [skip, verify] = await importVariants(fac, 82, [
			{ name: 'FortiAuthenticator (ignore SSL issues)', data: { ignoreSSLIssues: true, caCertificate: '' } },
			{ name: 'FortiAuthenticator (no CA)', data: { ignoreSSLIssues: false, caCertificate: '' } },
		]);
		const { method, url } = resourceOf(fac);
		const skipped = await env.execute(await env.importWorkflow(chain('fac ignore ssl', [manualTrigger(), httpWithCredential('FortiAuthenticator', skip.credential, method, url)])));
		expect(skipped.exitCode).toBe(0);
		expect(nodeItems(skipped.output, 'FortiAuthenticator')).toHaveLength(1);
		expect(countersOf(skip)).toMatchObject({ logins: 1, apiAccepted: 1 });
		// TLS verification stays on for a credential that did not ask otherwise.
		const refused = await env.execute(await env.importWorkflow(chain('fac verified', [manualTrigger(), httpWithCredential('FortiAuthenticator', verify.credential, method, url)])));
		expect(refused.exitCode).toBe(1);
		expect(nodeError(refused.output, 'FortiAuthenticator')?.message).toMatch(/TLS certificate that is not trusted.*CA certificate.*Ignore SSL Issues/);
		expect(countersOf(verify).logins).toBe(0);
	});

	test('a wrong password fails the execution with a message naming the service, and nothing secret is logged', async () => {
		const lan = accounts.find((account) => account.service.type === 'fortiLanCloudApi')!;
		const wrong = { id: credentialId(90), name: 'FortiLAN Cloud (wrong password)', type: 'fortiLanCloudApi' };
		const wrongPassword = 'e2e-wrong-password-4711';
		secrets.add(wrongPassword);
		await env.importCredentials([{ ...wrong, data: { ...lan.service.data(emulator, lan.user), password: wrongPassword } }]);
		const id = await env.importWorkflow(chain('wrong password', [manualTrigger(), httpWithCredential('FortiLAN Cloud', wrong, 'GET', resourceOf(lan.service).url)]));
		const result = await env.execute(id);
		expect(result.exitCode).toBe(1);
		const error = nodeError(result.output, 'FortiLAN Cloud');
		expect(error?.message).toMatch(/^FortiLAN Cloud rejected the credentials \(HTTP 400: Invalid credentials given\. \[invalid_grant\]\)/);
		expect(error?.message).toMatch(/Check the API User ID and Password/);
		expect(findSecrets(result.stdout + result.stderr, [...secrets])).toEqual([]);
	});
});

describe('FortiManager / FortiAnalyzer sessions (n8n execute: a new n8n process per run)', () => {
	const sessions: Array<{ service: SessionCase; user: TestUser; credential: CredentialRef }> = [];
	let workflow: string;
	const countersAt = (entry: (typeof sessions)[number]) => userCounters(emulator.control.stats(), entry.service.emulated, entry.user.username);
	// The first result's code; FortiSandbox answers one result object.
	const rpcCode = (item: Record<string, unknown> | undefined) => {
		const result = (item as { result?: unknown } | undefined)?.result;
		return ((Array.isArray(result) ? result[0] : result) as { status?: { code?: number } } | undefined)?.status?.code;
	};
	// FortiSandbox's check is a read counted with the calls (get /sys/status); FortiManager's is not.
	const checks = (entry: (typeof sessions)[number]) => (entry.service.checkedAtApi ? countersAt(entry).apiAccepted : countersAt(entry).tokenChecks);

	beforeAll(async () => {
		SESSION_CASES.forEach((service, index) => {
			const user = service.newUser(emulator);
			secrets.add(user.password);
			sessions.push({ service, user, credential: { id: credentialId(100 + index), name: `${service.label} (emulator)`, type: service.type } });
		});
		await env.importCredentials(sessions.map(({ service, user, credential }) => ({ ...credential, data: service.data(emulator, user) })));
		workflow = await env.importWorkflow(
			chain('json-rpc sessions', [manualTrigger(), ...sessions.map(({ service, credential }) => httpJsonRpc(service.label, credential, service.url(emulator)))]),
		);
	});

	test('HTTP Request POSTs a JSON-RPC body without a session: the credential puts its session in; one login each', async () => {
		const result = await env.execute(workflow);
		expect(result.exitCode).toBe(0);
		const all = await persistedAll();
		for (const entry of sessions) {
			expect(rpcCode(nodeItems(result.output, entry.service.label)[0])).toBe(0);
			const stored = all.get(entry.credential.id)!;
			expect(countersAt(entry)).toMatchObject({ logins: 1, apiAccepted: entry.service.checkedAtApi ? 2 : 1, apiRejected: 0 });
			expect(countersAt(entry).authorizations).toEqual(Array(entry.service.checkedAtApi ? 2 : 1).fill(`session ${String(stored.sessionToken)}`));
			expect(emulator.control.openSessions(entry.service.emulated, entry.user.username)).toBe(1);
		}
	});

	test('a new process reuses the persisted session after one check; a session killed from outside is re-established before use', async () => {
		const again = await env.execute(workflow);
		expect(again.exitCode).toBe(0);
		for (const entry of sessions) {
			expect(rpcCode(nodeItems(again.output, entry.service.label)[0])).toBe(0);
			expect(countersAt(entry)).toMatchObject({ logins: 1, apiRejected: 0 });
			expect(checks(entry)).toBe(entry.service.checkedAtApi ? 4 : 2);
		}
		for (const entry of sessions) emulator.control.expireAll(entry.service.emulated);
		const after = await env.execute(workflow);
		expect(after.exitCode).toBe(0);
		for (const entry of sessions) {
			expect(rpcCode(nodeItems(after.output, entry.service.label)[0])).toBe(0);
			// The dead session was never sent with a call: checked, found dead, replaced (FortiSandbox:
			// the check is the read the appliance refused, then the new session's check and the call).
			expect(countersAt(entry)).toMatchObject({ logins: 2, apiAccepted: entry.service.checkedAtApi ? 6 : 3, apiRejected: entry.service.checkedAtApi ? 1 : 0 });
			if (entry.service.clientId) {
				const iam = userCounters(emulator.control.stats(), 'iam', `${entry.user.username}/${entry.service.clientId}`);
				expect([iam.logins, iam.refreshes]).toEqual([1, 1]);
			}
		}
	});

	test('Fortinet Token node: Get outputs the session and its expiry, Revoke logs it out, the next call logs in again', async () => {
		const fmg = sessions[0];
		const id = await env.importWorkflow(
			chain('fortimanager token node', [manualTrigger(), tokenNode('Get Session', fmg.credential, 'getToken'), tokenNode('Revoke Session', fmg.credential, 'revokeToken')]),
		);
		const result = await env.execute(id);
		expect(result.exitCode).toBe(0);
		const [got] = nodeItems(result.output, 'Get Session');
		const stored = await persisted(fmg.credential.id);
		expect(got).toMatchObject({ service: 'FortiManager / FortiAnalyzer', session: stored.sessionToken });
		expect(Date.parse(String(got.expiresAt))).toBeGreaterThan(Date.now());
		expect(nodeItems(result.output, 'Revoke Session')).toEqual([expect.objectContaining({ revoked: true, hadToken: true })]);
		expect(emulator.control.openSessions('fmg', fmg.user.username)).toBe(0);
		const next = await env.execute(workflow);
		expect(next.exitCode).toBe(0);
		expect(rpcCode(nodeItems(next.output, fmg.service.label)[0])).toBe(0);
		expect(countersAt(fmg).apiRejected).toBe(0);
	});
});

describe('n8n start: webhooks, schedules and the Test button in one long-running n8n', () => {
	let server: N8nServer;

	beforeAll(async () => {
		server = await env.startServer();
		await server.setupOwner();
		await server.createApiKey();
	}, 5 * 60_000);

	afterAll(async () => {
		await server?.stop();
		// Whatever n8n printed over the whole suite, at debug level: no password, credential or token.
		const exported = await env.exportCredentials();
		rememberSecrets(exported);
		const tokenNodeOutputs = [...secrets].filter((secret) => env.logs.includes(`"accessToken": "${secret}"`));
		const logs = withoutSessionOutputs(env.logs, [...secrets]);
		const leaked = findSecrets(logs, [...secrets].filter((secret) => !tokenNodeOutputs.includes(secret)));
		// Where each was found, the secret itself masked: what printed it.
		expect(leaked.map((secret) => logs.slice(Math.max(0, logs.indexOf(secret) - 300), logs.indexOf(secret) + secret.length + 100).split(secret).join('<secret>'))).toEqual([]);
	});

	test('every credential type is offered under "Predefined Credential Type" (authenticate present)', async () => {
		const types = await server.getTypes('credentials');
		for (const service of [...SERVICE_CASES, ...SESSION_CASES]) {
			const type = types.find((candidate) => candidate.name === service.type);
			expect(type).toBeDefined();
			expect(type?.authenticate).toEqual({});
		}
		const nodes = await server.getTypes('nodes');
		expect(nodes.some((node) => node.name === 'n8n-nodes-fortinet-token.fortinetToken')).toBe(true);
	});

	test('30 concurrent webhook executions on one FortiLAN Cloud API user: all succeed, exactly one login', async () => {
		emulator.control.setRateLimit('fortilancloud', { max: 6, windowMs: 60_000 });
		const lan = caseOf('fortiLanCloudApi');
		const user = lan.newUser(emulator);
		secrets.add(user.password);
		const credential = await server.createCredential({ name: 'FortiLAN Cloud (webhook)', type: lan.type, data: lan.data(emulator, user) });
		const ref = { id: credential.id, name: credential.name, type: lan.type };
		const workflow = await server.createWorkflow(
			chain('webhook burst', [webhookTrigger('fortilan-burst'), httpWithCredential('FortiLAN Cloud', ref, 'GET', resourceOf(lan).url)]),
		);
		await server.activateWorkflow(workflow.id);
		// The first answer that is not a 404 is itself an execution (and the one login).
		await server.waitForWebhook('fortilan-burst');
		const responses = await Promise.all(
			Array.from({ length: 30 }, async () => await axios.get(server.webhookUrl('fortilan-burst'), { validateStatus: () => true })),
		);
		expect(responses.map((response) => response.status)).toEqual(Array(30).fill(200));
		const counters = emulator.control.stats().iam.users[lan.userKey(user)];
		expect(counters).toMatchObject({ logins: 1, refreshes: 0, rateLimited: 0, apiRejected: 0 });
		expect(counters.apiAccepted).toBeGreaterThanOrEqual(31);
		expect(new Set(counters.authorizations).size).toBe(1);
		await server.deactivateWorkflow(workflow.id);
		emulator.control.setRateLimit('fortilancloud', null);
	});

	test('a Schedule Trigger workflow runs repeatedly on one token', async () => {
		const sase = caseOf('fortiSaseApi');
		const user = sase.newUser(emulator);
		secrets.add(user.password);
		// n8n 1.123's public API requires every field that depends on Authentication, whichever is
		// chosen; 2.8 rejects the ones the choice hides.
		const data = n8nVersion().startsWith('1.') ? { ...sase.data(emulator, user), accessToken: '' } : sase.data(emulator, user);
		const credential = await server.createCredential({ name: 'FortiSASE (schedule)', type: sase.type, data });
		const ref = { id: credential.id, name: credential.name, type: sase.type };
		const workflow = await server.createWorkflow(
			chain('schedule', [scheduleEverySeconds(2), httpWithCredential('FortiSASE', ref, 'GET', resourceOf(sase).url)]),
		);
		await server.activateWorkflow(workflow.id);
		const executions = await server.waitForExecutions(workflow.id, 2, 60_000);
		await server.deactivateWorkflow(workflow.id);
		expect(executions.length).toBeGreaterThanOrEqual(2);
		expect(executions.every((execution) => execution.status === 'success')).toBe(true);
		const counters = emulator.control.stats().iam.users[sase.userKey(user)];
		expect(counters.logins).toBe(1);
		expect(counters.apiAccepted).toBeGreaterThanOrEqual(2);
		expect(new Set(counters.authorizations).size).toBe(1);
	});

	test('the Test button (run by the editor whenever a credential opens) reuses the stored token: no login, and fails when the secret is wrong', async () => {
		for (const account of accounts) {
			const before = { ...countersOf(account) };
			// What the editor sends: the saved credential's data, stored token included. The
			// FortiAuthenticator credential trusts the emulator's CA only (no Ignore SSL Issues).
			const result = await server.testCredential({ ...account.credential });
			expect({ type: account.service.type, ...result }).toMatchObject({ type: account.service.type, status: 'OK', message: expect.stringMatching(/Connection successful/) });
			const after = countersOf(account);
			// Under FortiCloud IAM's one-active-token rule a login here would kill the token the
			// workflows hold: the Test proves the secret with the live token of the same identity.
			expect(after.logins - before.logins).toBe(0);
			expect(after.refreshes - before.refreshes).toBe(0);
			// Checked at the service where it can say (FortiCloud IAM verify_token, FortiCASB/CWP resourceURLMap).
			const checks = after.tokenChecks + after.apiAccepted - (before.tokenChecks + before.apiAccepted);
			expect(checks).toBe(account.service.type === 'fortiAuthenticatorApi' ? 0 : 1);
		}
		for (const account of accounts) {
			const wrong = await server.testCredential({
				...account.credential,
				data: { ...account.service.data(emulator, account.user), password: 'test-button-wrong-pw', apiSecret: 'test-button-wrong-cred', sessionToken: '' },
			});
			expect(wrong.status).toBe('Error');
			expect(wrong.message).toContain(account.service.label);
			expect(findSecrets(wrong.message, ['test-button-wrong-pw', 'test-button-wrong-cred', ...secrets])).toEqual([]);
		}
		secrets.add('test-button-wrong-pw');
		secrets.add('test-button-wrong-cred');
	});

	test('the Test button with a FortiGate API key: one harmless read with the key as Bearer; a wrong key is reported', async () => {
		expect(fortiGateKey).toBeDefined();
		const { credential, data, username } = fortiGateKey!;
		const seenBy = () => userCounters(emulator.control.stats(), 'fgt', username);
		const before = seenBy().apiAccepted;
		expect(await server.testCredential({ ...credential, data })).toMatchObject({ status: 'OK' });
		expect(seenBy().apiAccepted - before).toBe(1);
		expect(seenBy().authorizations.at(-1)).toBe(`Bearer ${String(data.apiKey)}`);
		const wrong = await server.testCredential({ ...credential, data: { ...data, apiKey: 'test-button-wrong-fortigate-key' } });
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toMatch(/FortiGate rejected the API key.*trusted hosts/);
		expect(findSecrets(wrong.message, ['test-button-wrong-fortigate-key', ...secrets])).toEqual([]);
		secrets.add('test-button-wrong-fortigate-key');
	});
});
