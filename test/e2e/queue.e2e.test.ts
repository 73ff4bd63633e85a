/**
 * Queue mode, as users scale n8n: PostgreSQL and Redis on loopback, one main process and two
 * workers, this package installed in the shared user folder, one FortiLAN Cloud API user (6 logins
 * a minute) and waves of 40 concurrent webhook executions. Every way a token dies is driven in turn:
 * first use, expiry, a login from outside n8n (with a fast and with a slow API), renewal ahead of
 * expiry, and a worker restart. The emulator counts what it saw; every execution's answer is checked.
 */
import axios from 'axios';

import { startEmulator, userCounters } from '../emulator';
import type { Emulator } from '../emulator';
import { client, iamLogin } from '../emulator/helpers';
import { caseOf } from '../support/services';
import type { TestUser } from '../support/services';
import { buildPackage, cleanupAll, ensureN8n, findSecrets, N8nEnv, REPO_ROOT, sleep } from './n8n';
import type { N8nServer } from './n8n';
import { queueModeEnv, startPostgres, startRedis } from './services';
import type { LoopbackService } from './services';
import { chain, httpWithCredential, unlessQuery, webhookTrigger } from './workflows';

jest.setTimeout(300_000);

const WAVE = 40;
const lan = caseOf('fortiLanCloudApi');

let emulator: Emulator;
let postgres: LoopbackService;
let redis: LoopbackService;
let env: N8nEnv;
let main: N8nServer;
const workers: N8nServer[] = [];
let user: TestUser;
const outsideTokens: string[] = [];
/** When n8n last made a token call: FortiLAN Cloud allows 6 a minute for the cluster and the test. */
let renewedAt = 0;

/** Waits until a new minute of FortiLAN Cloud's login limit has begun since the last token call. */
async function nextMinute(): Promise<void> {
	await sleep(Math.max(0, renewedAt + 61_000 - Date.now()));
	renewedAt = Date.now();
}

async function outsideLogin(): Promise<void> {
	const outside = await iamLogin(client(), emulator, 'fortilancloud', user);
	expect(outside.status).toBe(200);
	outsideTokens.push(String(outside.data.access_token));
}

function seen() {
	return userCounters(emulator.control.stats(), 'iam', lan.userKey(user));
}

/** Logins and refreshes n8n made (the test's own outside logins are not n8n's). */
function renewals(): number {
	const counters = seen();
	return counters.logins + counters.refreshes - outsideTokens.length;
}

interface WaveResult {
	statuses: number[];
	renewals: number;
	rejected: number;
	rateLimited: number;
}

/** 40 webhook calls at once; each answers with the HTTP Request node's output (last node). */
async function wave(during?: () => Promise<void>): Promise<WaveResult> {
	const before = seen();
	const renewedBefore = renewals();
	const calls = Array.from({ length: WAVE }, async () => await axios.get(main.webhookUrl('queue-wave'), { validateStatus: () => true, timeout: 180_000 }));
	await during?.();
	const responses = await Promise.all(calls);
	for (const response of responses) {
		// The HTTP Request node's output: what the emulated FortiLAN Cloud API answered.
		if (response.status === 200) expect(JSON.stringify(response.data)).toMatch(/switch|serial|data/i);
	}
	const after = seen();
	return {
		statuses: responses.map((response) => response.status),
		renewals: renewals() - renewedBefore,
		rejected: after.apiRejected - before.apiRejected,
		rateLimited: after.rateLimited - before.rateLimited,
	};
}

const allOk = Array(WAVE).fill(200);

beforeAll(async () => {
	ensureN8n();
	buildPackage();
	emulator = await startEmulator({ rateLimits: { fortilancloud: { max: 6, windowMs: 60_000 } } });
	[postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
	env = await N8nEnv.create({ logLevel: 'info', installPackageFrom: REPO_ROOT, env: queueModeEnv(postgres, redis) });
	main = await env.startServer(180_000);
	await main.setupOwner();
	await main.createApiKey();
	workers.push(...(await Promise.all([env.startWorker({ concurrency: 20 }), env.startWorker({ concurrency: 20 })])));
	user = lan.newUser(emulator);
	const credential = await main.createCredential({ name: 'FortiLAN Cloud (queue mode)', type: lan.type, data: lan.data(emulator, user) });
	const resource = lan.resource(emulator);
	const workflow = await main.createWorkflow(
		chain('queue wave', [webhookTrigger('queue-wave'), unlessQuery('probe'), httpWithCredential('FortiLAN Cloud', { id: credential.id, name: credential.name, type: lan.type }, 'GET', String(resource.uri))]),
	);
	await main.activateWorkflow(workflow.id);
	// Until main has registered the webhook it answers 404; a probe stops before the credential is used.
	await main.waitForWebhook('queue-wave?probe=1');
	expect(seen().logins).toBe(0);
}, 15 * 60_000);

afterEach(() => {
	emulator.control.clearFaults();
	emulator.control.setLifetime('fortilancloud', lan.lifetime ?? 14_400);
});

afterAll(async () => {
	await env?.cleanup();
	await Promise.all([postgres?.stop(), redis?.stop()]);
	cleanupAll();
	await emulator?.close();
});

describe('queue mode: one main, two workers, PostgreSQL and Redis', () => {
	test('first use: 40 concurrent executions, every one succeeds, one login per worker and one more', async () => {
		renewedAt = Date.now();
		const result = await wave();
		expect(result).toMatchObject({ statuses: allOk, rateLimited: 0 });
		// Both workers may start before either has stored a token: each logs in, and the one whose
		// token the other's login killed logs in once more, after the other's requests are answered.
		expect(result.renewals).toBeGreaterThanOrEqual(1);
		expect(result.renewals).toBeLessThanOrEqual(2 * workers.length - 1);
	});

	test('while the token lives: another wave, no renewal, nothing rejected', async () => {
		const result = await wave();
		expect(result).toEqual({ statuses: allOk, renewals: 0, rejected: 0, rateLimited: 0 });
	});

	test('expiry: the token dies at the service; no failed execution, at most one renewal per worker', async () => {
		emulator.control.expireAll('iam');
		renewedAt = Date.now();
		const result = await wave();
		expect(result).toMatchObject({ statuses: allOk, rateLimited: 0 });
		expect(result.renewals).toBeGreaterThanOrEqual(1);
		expect(result.renewals).toBeLessThanOrEqual(workers.length);
	});

	test('a login from outside n8n kills the token: no failed execution, at most one renewal per worker', async () => {
		await nextMinute();
		await outsideLogin();
		const result = await wave();
		expect(result).toMatchObject({ statuses: allOk, rateLimited: 0 });
		expect(result.renewals).toBeGreaterThanOrEqual(1);
		expect(result.renewals).toBeLessThanOrEqual(workers.length);
	});

	test('a slow API (6 s a call) and a login from outside in the middle of the wave: no failed execution', async () => {
		await nextMinute();
		emulator.control.injectFault({ service: 'iam', endpoint: 'resource', count: 10 * WAVE, fault: { type: 'delay', ms: 6000 } });
		// Every execution is in flight, in both workers, when the token dies.
		const result = await wave(async () => {
			await sleep(3000);
			await outsideLogin();
		});
		expect(result).toMatchObject({ statuses: allOk, rateLimited: 0 });
		expect(result.renewals).toBeGreaterThanOrEqual(1);
		expect(result.renewals).toBeLessThanOrEqual(workers.length);
	});

	test('a token renewed ahead of expiry is stored: a wave near the end of its life renews, nothing rejected', async () => {
		await nextMinute();
		// 30-second tokens: renewed ahead in their last 3 s (10 % of the lifetime).
		emulator.control.setLifetime('fortilancloud', 30);
		emulator.control.expireAll('iam');
		const first = await axios.get(main.webhookUrl('queue-wave'), { validateStatus: () => true, timeout: 60_000 });
		expect(first.status).toBe(200);
		const issued = Date.now();
		await sleep(27_500);
		expect(Date.now() - issued).toBeLessThan(29_000);
		const result = await wave();
		expect(result).toMatchObject({ statuses: allOk, rejected: 0, rateLimited: 0 });
		expect(result.renewals).toBeGreaterThanOrEqual(1);
		expect(result.renewals).toBeLessThanOrEqual(workers.length);
		// The last request carried the token the service holds now; the restart below shows it is stored.
		const active = emulator.control.activeToken('iam', lan.userKey(user));
		expect(active).toBeDefined();
		expect(seen().authorizations.at(-1)).toBe(`Bearer ${active}`);
	});

	test('a worker restarts: the new process starts from the stored token, no renewal', async () => {
		await workers[1].stop();
		workers[1] = await env.startWorker({ concurrency: 20 });
		const result = await wave();
		expect(result).toEqual({ statuses: allOk, renewals: 0, rejected: 0, rateLimited: 0 });
	});

	test('nothing secret in what the three processes printed', () => {
		expect(findSecrets(env.logs, [user.password, ...outsideTokens])).toEqual([]);
	});
});
