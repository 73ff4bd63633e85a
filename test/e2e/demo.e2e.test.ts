/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tool code runs in Node, not inside n8n: child processes and evaluated expressions, Node globals, Node's modules, console output are its to use */
/**
 * `npm start` as a newcomer runs it: build, emulator, a real n8n with the package installed, the
 * owner, eight credentials and four workflows, the banner; the webhook answers with FortiSASE data
 * after exactly one login; Ctrl-C stops everything. A second start on the same folder reuses it
 * (no duplicates) and still works, and a SIGTERM to npm alone leaves nothing behind.
 *
 * One `npm start` at a time (each is a full n8n). Between the two starts the manual workflows run
 * once through `n8n execute` on the demo folder, against an emulator started by this test on the
 * demo's ports, to prove they work as shipped.
 */
import axios from 'axios';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import { startEmulator, type Emulator } from '../emulator';
import {
	DEMO_CREDENTIAL_IDS,
	DEMO_ENCRYPTION_KEY,
	EMULATOR_PORT_COUNT,
	emulatorPorts,
	DEMO_OWNER,
	STATE_FILE,
	WEBHOOK_PATH,
	WORKFLOW_NAMES,
	type DemoState,
} from '../../scripts/demo/settings';
import { cleanupAll, ensureN8n, freePort, makeTempDir, nodeError, nodeItems, N8nEnv, REPO_ROOT, sleep, stripAnsi } from './n8n';

jest.setTimeout(240_000);

const SCHEDULE_SECONDS = 3;
const timings: Record<string, number> = {};

interface Demo {
	child: ChildProcess;
	output: () => string;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	exitInfo: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

interface Banner {
	n8nUrl: string;
	email: string;
	password: string;
	webhookUrl: string;
	controlUrl: string;
}

let demoDir: string;
let n8nPort: number;
let brokerPort: number;
let portBase: number;
let running: Demo | undefined;

async function isFree(port: number): Promise<boolean> {
	return await new Promise<boolean>((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

/** A base for the emulator's consecutive ports, all free. */
async function freePortBase(): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const base = 20_000 + Math.floor(Math.random() * 40_000);
		const ports = Object.values(emulatorPorts(base));
		if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
	}
	throw new Error(`no ${EMULATOR_PORT_COUNT} consecutive free ports`);
}

function allPorts(): number[] {
	return [n8nPort, brokerPort, ...Object.values(emulatorPorts(portBase))];
}

/**
 * `npm start` (or, with `direct`, the `tsx scripts/demo.ts` it runs) in its own process group, as a
 * terminal would run it, on the test's folder and ports.
 */
function startDemo(direct = false): Demo {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^(N8N_|FORTINET_|JEST_)/.test(key) && key !== 'NODE_ENV') env[key] = value;
	}
	Object.assign(env, {
		FORTINET_DEMO_DIR: demoDir,
		N8N_PORT: String(n8nPort),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		FORTINET_EMULATOR_PORT_BASE: String(portBase),
		FORTINET_DEMO_SCHEDULE_SECONDS: String(SCHEDULE_SECONDS),
		NO_COLOR: '1',
		npm_config_update_notifier: 'false',
	});
	const [command, args] = direct
		? [path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/demo.ts']]
		: ['npm', ['start']];
	const child = spawn(command, args, { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.setEncoding('utf8');
	child.stderr?.setEncoding('utf8');
	child.stdout?.on('data', (chunk: string) => (output += chunk));
	child.stderr?.on('data', (chunk: string) => (output += chunk));
	let info: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
		child.once('exit', (code, signal) => {
			info = { code, signal };
			resolve(info);
		});
	});
	const demo: Demo = { child, output: () => stripAnsi(output), exited, exitInfo: () => info };
	running = demo;
	return demo;
}

async function waitForBanner(demo: Demo, timeoutMs = 180_000): Promise<Banner> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const text = demo.output();
		if (/Ctrl-C to stop\./.test(text)) return parseBanner(text);
		if (demo.exitInfo() !== undefined) throw new Error(`npm start exited early (${JSON.stringify(demo.exitInfo())}):\n${text.slice(-6000)}`);
		await sleep(200);
	}
	throw new Error(`no ready banner within ${timeoutMs} ms:\n${demo.output().slice(-6000)}`);
}

function parseBanner(text: string): Banner {
	const pick = (re: RegExp): string => {
		const m = re.exec(text);
		if (!m?.[1]) throw new Error(`banner lacks ${re}:\n${text.slice(-4000)}`);
		return m[1];
	};
	return {
		n8nUrl: pick(/^\s+n8n\s+(http:\/\/\S+)$/m),
		email: pick(/email: (\S+)/),
		password: pick(/password: (\S+)/),
		webhookUrl: pick(/^\s+webhook\s+(http:\/\/\S+)$/m),
		controlUrl: pick(/curl -s (http:\/\/\S+)\/stats/),
	};
}

/** Signals the whole process group (a terminal's Ctrl-C) or just the spawned process; waits for its exit. */
async function stopDemo(
	demo: Demo,
	signal: NodeJS.Signals,
	group: boolean,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
	const started = Date.now();
	const pid = demo.child.pid as number;
	process.kill(group ? -pid : pid, signal);
	let timer: NodeJS.Timeout | undefined;
	const exit = await Promise.race([
		demo.exited,
		new Promise<undefined>((resolve) => {
			timer = setTimeout(() => resolve(undefined), 15_000);
		}),
	]);
	clearTimeout(timer);
	if (exit === undefined) throw new Error(`the demo still runs 15 s after ${signal}:\n${demo.output().slice(-4000)}`);
	return { code: exit.code, signal: exit.signal, ms: Date.now() - started };
}

/** True once nothing listens on the demo's ports and no process of its group is left. */
async function waitUntilAllGone(demo: Demo, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	const pid = demo.child.pid as number;
	for (;;) {
		let groupAlive = true;
		try {
			process.kill(-pid, 0);
		} catch {
			groupAlive = false;
		}
		const busy: number[] = [];
		for (const port of allPorts()) if (!(await isFree(port))) busy.push(port);
		if (!groupAlive && busy.length === 0) return;
		if (Date.now() > deadline) {
			throw new Error(`after stopping: process group alive=${groupAlive}, busy ports ${busy.join(',')}\n${demo.output().slice(-3000)}`);
		}
		await sleep(250);
	}
}

interface UserCounters {
	logins: number;
	apiAccepted: number;
	apiRejected: number;
	rateLimited: number;
}

async function iamCounters(controlUrl: string, clientId: string): Promise<UserCounters | undefined> {
	const stats = await axios.get<{ iam: { users: Record<string, UserCounters> } }>(`${controlUrl}/stats`);
	return stats.data.iam.users[`demo-iam-api-user/${clientId}`];
}

async function login(banner: Banner): Promise<string> {
	const res = await axios.post(
		`${banner.n8nUrl}/rest/login`,
		{ emailOrLdapLoginId: banner.email, password: banner.password },
		{ validateStatus: () => true },
	);
	expect(res.status).toBe(200);
	const cookie = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
	expect(cookie).toContain('n8n-auth=');
	return cookie;
}

interface RestWorkflow {
	id: string;
	name: string;
	active: boolean;
}

async function restList<T>(banner: Banner, cookie: string, url: string): Promise<T[]> {
	const res = await axios.get<{ data: T[] | { data: T[] } }>(`${banner.n8nUrl}${url}`, { headers: { cookie } });
	const data = res.data.data;
	return Array.isArray(data) ? data : data.data;
}

function readState(): DemoState {
	return JSON.parse(fs.readFileSync(path.join(demoDir, STATE_FILE), 'utf8')) as DemoState;
}

/** One demo credential per type of the package, each with the fixed id the README's example uses. */
const DEMO_CREDENTIAL_TYPES = Object.keys(DEMO_CREDENTIAL_IDS) as Array<keyof typeof DEMO_CREDENTIAL_IDS>;

/** The six demo workflows and ten demo credentials exist exactly once; the two triggers are active. */
async function expectDemoContent(banner: Banner): Promise<void> {
	const cookie = await login(banner);
	const workflows = await restList<RestWorkflow>(banner, cookie, '/rest/workflows');
	for (const name of Object.values(WORKFLOW_NAMES)) {
		expect(workflows.filter((w) => w.name === name)).toHaveLength(1);
	}
	expect(workflows).toHaveLength(6);
	const active = workflows.filter((w) => w.active).map((w) => w.name).sort();
	expect(active).toEqual([WORKFLOW_NAMES.schedule, WORKFLOW_NAMES.webhook].sort());
	const credentials = await restList<{ id: string; name: string; type: string }>(banner, cookie, '/rest/credentials');
	expect(credentials.map((c) => c.type).sort()).toEqual([...DEMO_CREDENTIAL_TYPES].sort());
	for (const credential of credentials) expect(credential.id).toBe(DEMO_CREDENTIAL_IDS[credential.type as keyof typeof DEMO_CREDENTIAL_IDS]);
}

async function callWebhook(banner: Banner): Promise<void> {
	expect(banner.webhookUrl).toBe(`${banner.n8nUrl}/webhook/${WEBHOOK_PATH}`);
	const res = await axios.get<{ status?: string; data?: Array<{ id?: string }>; emulator?: { client_id?: string } }>(
		banner.webhookUrl,
		{ validateStatus: () => true, timeout: 60_000 },
	);
	expect(res.status).toBe(200);
	expect(res.data).toEqual(
		expect.objectContaining({
			status: 'success',
			data: [expect.objectContaining({ id: 'ep-0001' })],
			emulator: expect.objectContaining({ client_id: 'FortiSASE' }),
		}),
	);
}

/** Waits until the scheduled workflow has called FortiLAN Cloud `calls` times. */
async function waitForScheduledCalls(banner: Banner, calls: number, timeoutMs = 30_000): Promise<UserCounters> {
	const deadline = Date.now() + timeoutMs;
	let last: UserCounters | undefined;
	while (Date.now() < deadline) {
		last = await iamCounters(banner.controlUrl, 'fortilancloud');
		if (last && last.apiAccepted >= calls) return last;
		await sleep(500);
	}
	throw new Error(`scheduled workflow made ${last?.apiAccepted ?? 0} FortiLAN calls, wanted ${calls}`);
}

beforeAll(async () => {
	const started = Date.now();
	ensureN8n();
	timings['ensureN8n'] = Date.now() - started;
	demoDir = path.join(makeTempDir('fortinet-demo-e2e-'), 'demo');
	n8nPort = await freePort();
	do brokerPort = await freePort();
	while (brokerPort === n8nPort);
	portBase = await freePortBase();
}, 20 * 60_000);

afterAll(async () => {
	if (running && running.exitInfo() === undefined && running.child.pid !== undefined) {
		try {
			process.kill(-running.child.pid, 'SIGKILL');
		} catch {
			// gone
		}
	}
	cleanupAll();
	const rows = Object.entries(timings).map(([k, v]) => `  ${(v / 1000).toFixed(1).padStart(6)} s  ${k}`);
	console.log(`npm start (demo) timings:\n${rows.join('\n')}`);
});

describe('npm start (the demo)', () => {
	let first: Banner;

	test('first start: builds, starts the emulator and n8n, sets everything up and prints the banner', async () => {
		const started = Date.now();
		const demo = startDemo();
		first = await waitForBanner(demo);
		timings['first start → banner'] = Date.now() - started;
		const text = demo.output();
		expect(text).toContain('Fortinet demo is ready');
		expect(first.n8nUrl).toBe(`http://127.0.0.1:${n8nPort}`);
		expect(first.email).toBe(DEMO_OWNER.email);
		expect(first.password).toBe(DEMO_OWNER.password);
		expect(first.controlUrl).toBe(`http://127.0.0.1:${portBase}`);
		expect(text).toContain(`https://127.0.0.1:${portBase + 4}`);
		for (const name of Object.values(WORKFLOW_NAMES)) expect(text).toContain(name);
		// Offline and quiet: no stack trace of n8n phoning api.n8n.io, no deprecation the demo causes.
		expect(text).not.toContain('api.n8n.io');
		expect(text).not.toMatch(/ - (WEBHOOK_URL|N8N_UNVERIFIED_PACKAGES_ENABLED|N8N_RUNNERS_TASK_TIMEOUT|N8N_COMPRESSION_\w+) ->/);

		const health = await axios.get(`${first.n8nUrl}/healthz`);
		expect(health.status).toBe(200);
		const state = readState();
		expect(state.setupComplete).toBe(true);
		expect((fs.statSync(path.join(demoDir, STATE_FILE)).mode & 0o777).toString(8)).toBe('600');
		expect(fs.existsSync(path.join(demoDir, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-fortinet-token', 'package.json'))).toBe(true);
	});

	test('the owner can sign in and sees the six workflows (two active) and ten credentials', async () => {
		await expectDemoContent(first);
	});

	test('the webhook answers with FortiSASE endpoints after exactly one FortiSASE login', async () => {
		await callWebhook(first);
		await callWebhook(first);
		const sase = await iamCounters(first.controlUrl, 'FortiSASE');
		expect(sase).toEqual(expect.objectContaining({ logins: 1, apiAccepted: 2, apiRejected: 0 }));
	});

	test('the scheduled workflow keeps calling FortiLAN Cloud on one login (never rate limited)', async () => {
		const started = Date.now();
		const lan = await waitForScheduledCalls(first, 3);
		timings['3 scheduled runs'] = Date.now() - started;
		expect(lan).toEqual(expect.objectContaining({ logins: 1, apiRejected: 0, rateLimited: 0 }));
	});

	test('Ctrl-C (SIGINT to the process group) stops n8n and the emulator within 15 s; ports free', async () => {
		const demo = running as Demo;
		const started = Date.now();
		const exit = await stopDemo(demo, 'SIGINT', true);
		// npm itself dies of the SIGINT at once (its own behaviour); the demo under it cleans up.
		expect(exit.code === 0 || exit.signal === 'SIGINT').toBe(true);
		await waitUntilAllGone(demo);
		timings['Ctrl-C → all gone'] = Date.now() - started;
		expect(demo.output()).toContain('[demo] stopped.');
	});

	describe('the manual demo workflows, run once with `n8n execute` on the demo folder', () => {
		let emulator: Emulator;
		let env: N8nEnv;

		beforeAll(async () => {
			emulator = await startEmulator({
				ports: emulatorPorts(portBase),
			});
			env = await N8nEnv.create({
				userFolder: demoDir,
				port: await freePort(),
				logLevel: 'info',
				env: { N8N_ENCRYPTION_KEY: DEMO_ENCRYPTION_KEY },
			});
		});

		afterAll(async () => {
			await env?.cleanup();
			await emulator?.close();
		});

		test('"every service": one HTTP Request per credential type, each answered by the emulator', async () => {
			const id = readState().workflows.everyService?.id as string;
			const started = Date.now();
			const result = await env.execute(id);
			timings['n8n execute: every service'] = Date.now() - started;
			expect(result.exitCode).toBe(0);
			expect(nodeItems(result.output, 'FortiSASE')[0]).toEqual(expect.objectContaining({ status: 'success' }));
			expect(nodeItems(result.output, 'FortiLAN Cloud')[0]).toEqual(expect.objectContaining({ status: 'success' }));
			expect(nodeItems(result.output, 'FortiFlex (FortiCloud IAM)')[0]).toEqual(expect.objectContaining({ status: 0 }));
			expect(nodeItems(result.output, 'FortiCASB')[0]).toEqual(expect.objectContaining({ msg: 'success' }));
			expect(nodeItems(result.output, 'FortiCWP')[0]).toEqual(expect.objectContaining({ msg: 'success' }));
			expect(nodeItems(result.output, 'FortiAuthenticator')[0]).toEqual(expect.objectContaining({ success: 'true' }));
			expect(nodeItems(result.output, 'FortiClient EMS endpoints')[0]).toEqual(expect.objectContaining({ result: expect.objectContaining({ retval: 1 }) as unknown }));
			expect(nodeItems(result.output, 'FortiMail domains')[0]).toEqual(expect.objectContaining({ collection: [{ mkey: 'example.com' }] }));
			expect(nodeItems(result.output, 'FortiADC virtual servers')[0]).toEqual(expect.objectContaining({ payload: [expect.objectContaining({ mkey: 'vs-web' })] }));
			const sandbox = nodeItems(result.output, 'FortiSandbox status (get /sys/status)')[0] as { result: { status: { code: number } } };
			expect(sandbox.result.status.code).toBe(0);
			const stats = emulator.control.stats();
			for (const service of ['iam', 'casb', 'cwp', 'fac'] as const) expect(stats[service].rateLimited).toBe(0);
			// One session each for the appliances: logged in once, still open.
			for (const service of ['ems', 'fml', 'adc', 'fsa'] as const) expect(stats[service].logins).toBe(1);
		});

		test('"FortiManager JSON-RPC sessions": the credentials put their sessions into plain JSON-RPC bodies', async () => {
			const id = readState().workflows.fortiManager?.id as string;
			const result = await env.execute(id);
			expect(result.exitCode).toBe(0);
			const devices = nodeItems(result.output, 'FortiManager devices (get /dvmdb/device)')[0] as { result: Array<{ status: { code: number }; data: unknown[] }> };
			expect(devices.result[0].status.code).toBe(0);
			expect(devices.result[0].data).toEqual([expect.objectContaining({ name: 'demo-fgt-01' })]);
			for (const node of ['FortiManager Cloud status (get /sys/status)', 'FortiAnalyzer Cloud status (get /sys/status)']) {
				const status = nodeItems(result.output, node)[0] as { result: Array<{ status: { code: number } }> };
				expect(status.result[0].status.code).toBe(0);
			}
			const [session] = nodeItems(result.output, 'Get the FortiManager session');
			expect(session).toEqual(expect.objectContaining({ service: 'FortiManager / FortiAnalyzer', session: expect.any(String), fromCache: true }));
			const stats = emulator.control.stats();
			expect([stats.fmg.logins, stats.fmgCloud.logins, stats.fazCloud.logins]).toEqual([1, 1, 1]);
			expect([stats.fmg.apiRejected, stats.fmgCloud.apiRejected, stats.fazCloud.apiRejected]).toEqual([0, 0, 0]);
		});

		test('"FortiGate": a status read and an address written through one session, with its CSRF token; Get shows the session', async () => {
			const id = readState().workflows.fortiGate?.id as string;
			const result = await env.execute(id);
			expect(result.exitCode).toBe(0);
			expect(nodeItems(result.output, 'FortiGate status')[0]).toEqual(expect.objectContaining({ status: 'success', results: expect.objectContaining({ hostname: 'demo-fgt' }) }));
			expect(nodeItems(result.output, 'Create an address object')[0]).toEqual(expect.objectContaining({ status: 'success', results: { mkey: expect.stringMatching(/^n8n-demo-/) } }));
			const [session] = nodeItems(result.output, 'Get the FortiGate session');
			expect(session).toEqual(expect.objectContaining({ service: 'FortiGate (FortiOS)', session: expect.any(String), headers: expect.any(Object), fromCache: true }));
			const stats = emulator.control.stats().fgt;
			expect(stats).toMatchObject({ logins: 1, apiAccepted: 2, apiRejected: 0 });
			expect(emulator.control.openSessions('fgt', 'demo-fgt-admin')).toBe(1);
		});

		test('"token node": Get Token, a call with its Authorization header, Revoke Token; FortiLAN Cloud untouched', async () => {
			const id = readState().workflows.tokenNode?.id as string;
			const lanBefore = await iamCounters(emulator.urls.control, 'fortilancloud');
			const result = await env.execute(id);
			expect(nodeError(result.output, 'List FortiFlex programs (own Authorization header)')).toBeUndefined();
			expect(result.exitCode).toBe(0);
			const [token] = nodeItems(result.output, 'Get FortiFlex token');
			expect(token).toEqual(expect.objectContaining({ service: 'FortiCloud IAM', authorizationHeader: expect.stringMatching(/^Bearer /) }));
			expect(nodeItems(result.output, 'List FortiFlex programs (own Authorization header)')[0]).toEqual(expect.objectContaining({ status: 0 }));
			expect(nodeItems(result.output, 'Revoke the token')[0]).toEqual(expect.objectContaining({ revoked: true }));
			// The scheduled workflow's FortiLAN Cloud token is neither used nor revoked here.
			expect(await iamCounters(emulator.urls.control, 'fortilancloud')).toEqual(lanBefore);
		});
	});

	test('second start on the same folder: no duplicates, the webhook still works, SIGTERM to npm leaves nothing behind', async () => {
		const stateBefore = readState();
		const started = Date.now();
		const demo = startDemo();
		const banner = await waitForBanner(demo);
		timings['second start → banner'] = Date.now() - started;
		const text = demo.output();
		expect(text).not.toContain('created credential');
		expect(text).not.toContain('created workflow');
		await expectDemoContent(banner);
		expect(readState()).toEqual(stateBefore);

		await callWebhook(banner);
		// the previous run's tokens were dropped at start: one login, no refused call
		expect(await iamCounters(banner.controlUrl, 'FortiSASE')).toEqual(
			expect.objectContaining({ logins: 1, apiAccepted: 1, apiRejected: 0 }),
		);
		await waitForScheduledCalls(banner, 1);

		// `kill <npm pid>`: npm exits without passing SIGTERM on; the demo notices and stops anyway.
		const stopStarted = Date.now();
		await stopDemo(demo, 'SIGTERM', false);
		await waitUntilAllGone(demo);
		timings['SIGTERM to npm → all gone'] = Date.now() - stopStarted;
		await sleep(200);
		expect(demo.output()).toContain('[demo] stopped.');
	});

	test('third start, `tsx scripts/demo.ts` as npm runs it: Ctrl-C exits 0 within 15 s, nothing left', async () => {
		const started = Date.now();
		const demo = startDemo(true);
		const banner = await waitForBanner(demo);
		timings['third start (tsx) → banner'] = Date.now() - started;
		await callWebhook(banner);
		const exit = await stopDemo(demo, 'SIGINT', true);
		timings['Ctrl-C → tsx exit'] = exit.ms;
		expect(exit).toEqual(expect.objectContaining({ code: 0, signal: null }));
		await waitUntilAllGone(demo);
		expect(demo.output()).toContain('[demo] stopped.');
	});
});
