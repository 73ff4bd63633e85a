/**
 * Queue mode, as users scale n8n: PostgreSQL and Redis on loopback, one main process and two
 * workers, this package installed in the shared user folder, one FortiLAN Cloud API user (6 logins
 * a minute) and waves of 40 concurrent webhook executions. Every way a token dies is driven in turn:
 * first use, expiry, a login from outside n8n (with a fast and with a slow API), renewal ahead of
 * expiry, and a worker restart. Then a FortiGate administrator (FortiOS 7.6.4 cookie sessions,
 * a CSRF token on each write): first use, logouts from the GUI, idle-out, a keepalive, a worker
 * restart. The emulator counts what it saw; every execution's answer is checked.
 */
import axios from 'axios';

import { startEmulator, userCounters } from '../emulator';
import type { Counters, Emulator } from '../emulator';
import { client, iamLogin } from '../emulator/helpers';
import { caseOf } from '../support/services';
import type { TestUser } from '../support/services';
import { buildPackage, cleanupAll, ensureN8n, findSecrets, N8nEnv, REPO_ROOT, sleep } from './n8n';
import type { N8nServer } from './n8n';
import { queueModeEnv, startPostgres, startRedis } from './services';
import type { LoopbackService } from './services';
import { chain, httpWithCredential, httpWithJsonBody, unlessQuery, webhookTrigger } from './workflows';

jest.setTimeout(300_000);

const WAVE = 40;
const lan = caseOf('fortiLanCloudApi');
const fgt = caseOf('fortiOsApi');

let emulator: Emulator;
let postgres: LoopbackService;
let redis: LoopbackService;
let env: N8nEnv;
let main: N8nServer;
const workers: N8nServer[] = [];
let user: TestUser;
let admin: TestUser;
/** Every session the FortiGate administrator had: none may appear in the logs. */
const sessions = new Set<string>();
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

/** A webhook workflow, what its answers look like, and what its service saw. */
interface Target {
	path: string;
	answer: RegExp;
	seen: () => Counters;
	renewals: () => number;
}

const lanTarget: Target = { path: 'queue-wave', answer: /switch|serial|data/i, seen, renewals };

/** 40 webhook calls at once; each answers with the HTTP Request node's output (last node). */
async function wave(during?: () => Promise<void>, target = lanTarget): Promise<WaveResult> {
	const before = target.seen();
	const renewedBefore = target.renewals();
	const calls = Array.from({ length: WAVE }, async () => await axios.get(main.webhookUrl(target.path), { validateStatus: () => true, timeout: 180_000 }));
	await during?.();
	const responses = await Promise.all(calls);
	for (const response of responses) {
		// The HTTP Request node's output: what the emulated API answered.
		if (response.status === 200) expect(JSON.stringify(response.data)).toMatch(target.answer);
	}
	const after = target.seen();
	return {
		statuses: responses.map((response) => response.status),
		renewals: target.renewals() - renewedBefore,
		rejected: after.apiRejected - before.apiRejected,
		rateLimited: after.rateLimited - before.rateLimited,
	};
}

const allOk = Array(WAVE).fill(200);

/** One execution obtains a 30-second token or session; returns 2.5 s before its end, inside the renewal window. */
async function oneCallThenNearItsEnd(path: string): Promise<void> {
	const first = await axios.get(main.webhookUrl(path), { validateStatus: () => true, timeout: 60_000 });
	expect(first.status).toBe(200);
	const issued = Date.now();
	await sleep(27_500);
	expect(Date.now() - issued).toBeLessThan(29_000);
}

async function restartWorker(index: number): Promise<void> {
	await workers[index].stop();
	workers[index] = await env.startWorker({ concurrency: 20 });
}

/** FortiOS 7.6.4 cookie sessions: each execution reads the addresses and writes one (CSRF). */
async function fortiGateWorkflow(): Promise<string> {
	emulator.control.configureFortiOs({ firmware: '7.6.4' });
	admin = fgt.newUser(emulator);
	const credential = await main.createCredential({ name: 'FortiGate (queue mode)', type: fgt.type, data: fgt.data(emulator, admin) });
	const ref = { id: credential.id, name: credential.name, type: fgt.type };
	const addresses = `${emulator.urls.fgt}/api/v2/cmdb/firewall/address`;
	const address = '={"name": "queue-{{ $execution.id }}", "type": "ipmask", "subnet": "192.0.2.1 255.255.255.255"}';
	const workflow = await main.createWorkflow(
		chain('queue fortigate', [webhookTrigger('queue-fgt'), unlessQuery('probe'), httpWithCredential('Read addresses', ref, 'GET', addresses), httpWithJsonBody('Write address', ref, 'POST', addresses, address)]),
	);
	return workflow.id;
}

function fgtSeen(): Counters {
	return userCounters(emulator.control.stats(), 'fgt', admin.username);
}

const fgtTarget: Target = { path: 'queue-fgt', answer: /"mkey":"queue-\d+"/, seen: fgtSeen, renewals: () => fgtSeen().logins };

/** A FortiGate wave, and the sessions it left open. */
async function fortiGateWave(): Promise<WaveResult & { open: number }> {
	const result = await wave(undefined, fgtTarget);
	const newest = emulator.control.activeToken('fgt', admin.username);
	if (newest) sessions.add(newest);
	return { ...result, open: emulator.control.openSessions('fgt', admin.username) };
}

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
	await main.activateWorkflow(await fortiGateWorkflow());
	// Until main has registered a webhook it answers 404; a probe stops before the credential is used.
	await main.waitForWebhook('queue-wave?probe=1');
	await main.waitForWebhook('queue-fgt?probe=1');
	expect(seen().logins).toBe(0);
	expect(fgtSeen().logins).toBe(0);
}, 15 * 60_000);

afterEach(() => {
	emulator.control.clearFaults();
	emulator.control.setLifetime('fortilancloud', lan.lifetime ?? 14_400);
	emulator.control.setLifetime('fgt', fgt.lifetime ?? 300);
	emulator.control.configureFortiOs({ firmware: '7.6.4' });
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
		await oneCallThenNearItsEnd('queue-wave');
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
		await restartWorker(1);
		const result = await wave();
		expect(result).toEqual({ statuses: allOk, renewals: 0, rejected: 0, rateLimited: 0 });
	});

	test('nothing secret in what the three processes printed', () => {
		expect(findSecrets(env.logs, [user.password, ...outsideTokens])).toEqual([]);
	});
});

describe('queue mode: FortiGate administrator sessions (cookies and CSRF) across two workers', () => {
	const between = (low: number, high: number) => ({ asymmetricMatch: (n: number) => n >= low && n <= high, toString: () => `${low}..${high}` });

	test('first use: 40 concurrent reads and writes succeed, at most one login and one open session per worker', async () => {
		const result = await fortiGateWave();
		expect(result).toMatchObject({ statuses: allOk, rejected: 0, rateLimited: 0 });
		expect(result).toMatchObject({ renewals: between(1, workers.length), open: between(1, workers.length) });
		// Every write carried the session's CSRF token: FortiOS refuses one without it (403, rejected).
		expect(fgtSeen().apiAccepted).toBe(2 * WAVE);
	});

	test('while the session lives: another wave, no login, nothing rejected', async () => {
		const before = emulator.control.openSessions('fgt', admin.username);
		const result = await fortiGateWave();
		expect(result).toMatchObject({ statuses: allOk, renewals: 0, rejected: 0, rateLimited: 0, open: before });
	});

	test('the sessions are logged out from the GUI (or the appliance restarts): no failed execution, one login per worker at most', async () => {
		emulator.control.revokeAll('fgt');
		const result = await fortiGateWave();
		expect(result).toMatchObject({ statuses: allOk, rateLimited: 0 });
		expect(result).toMatchObject({ renewals: between(1, workers.length), open: between(1, workers.length) });
	});

	test('the sessions idle out: no failed execution, one login per worker at most', async () => {
		emulator.control.expireAll('fgt');
		const result = await fortiGateWave();
		expect(result).toMatchObject({ statuses: allOk, rateLimited: 0 });
		expect(result).toMatchObject({ renewals: between(1, workers.length), open: between(1, workers.length) });
	});

	test('a session in use is kept alive ahead of the idle timeout: no login, nothing rejected', async () => {
		// A 30-second admintimeout, which FortiOS 7.4 states with a session key (a cookie login
		// does not, and is kept alive at the default 5 minutes): kept alive in its last 3 s.
		emulator.control.configureFortiOs({ firmware: '7.4' });
		emulator.control.setLifetime('fgt', 30);
		emulator.control.expireAll('fgt');
		await oneCallThenNearItsEnd('queue-fgt');
		const keptAlive = fgtSeen().refreshes;
		const result = await fortiGateWave();
		expect(result).toMatchObject({ statuses: allOk, renewals: 0, rejected: 0, rateLimited: 0 });
		expect(fgtSeen().refreshes - keptAlive).toEqual(between(1, workers.length));
	});

	test('a worker restarts: the new process starts from the stored session, no login', async () => {
		await restartWorker(0);
		const result = await fortiGateWave();
		expect(result).toMatchObject({ statuses: allOk, renewals: 0, rejected: 0, rateLimited: 0 });
	});

	test('no password or session in what the processes printed', () => {
		expect(sessions.size).toBeGreaterThan(0);
		expect(findSecrets(env.logs, [admin.password, ...sessions])).toEqual([]);
	});
});
