/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node globals, Node's modules are its to use */
/**
 * `npm run bench`: the token engine vs a credential written the way n8n's docs show, side by side
 * in one process against the in-process Fortinet emulator (loopback only). Prints a markdown
 * report, writes the same text to test/bench/RESULTS.md and puts it in docs/DEVELOPMENT.md as its
 * Performance section. Timings are never asserted (the machine may be shared and noisy; they are
 * only compared as ratios measured in one run); the counts the README promises are, at the end:
 * a broken promise is listed and the run fails.
 *
 * Environment: BENCH_REQUESTS (default 1000 per run), BENCH_SOAK_S (default 11),
 * BENCH_IDENTITIES (default 10000). BENCH_SMOKE=1: a few requests per row, for CI; it checks the
 * counts and writes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	configureEngine,
	settings,
} from '../../credentials/engine';
import { clearTokenCache } from '../../credentials/engine/testing';
import { startEmulator } from '../emulator';
import { caseOf, SERVICE_CASES } from '../support/services';

/**
 * The rows compared with a baseline credential (test/bench/baseline.ts). FortiGate has no such
 * baseline yet (a documented-style FortiOS session credential): its behaviour is in the suites.
 */
const BENCH_CASES = SERVICE_CASES.filter((service) => !service.keepalive);
import type { Impl, RunResult, SoakResult } from './load';
import { loadRun, soakRun } from './load';
import { cacheMemory } from './memory';
import type { MemoryResult } from './memory';
import { failureRun } from './failures';
import type { FailureRunResult } from './failures';
import { httpOverhead, inProcessOverhead, warmCredential } from './overhead';
import { queueRun } from './queue';
import type { QueueRunResult, QueueScenario } from './queue';
import { retainedMemory } from './retained';
import type { RetainedResult } from './retained';
import type { HttpOverhead, InProcessTiming } from './overhead';

const SMOKE = process.env.BENCH_SMOKE === '1';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? (SMOKE ? 20 : 1000));
const SOAK_MS = Number(process.env.BENCH_SOAK_S ?? (SMOKE ? 3 : 11)) * 1000;
const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? (SMOKE ? 500 : 10_000));
/** Token deaths in a modelled cluster; the slow-API rows have the outside login in the middle of the wave. */
const QUEUE_SCENARIOS: QueueScenario[] = [
	{ death: 'expiry', workers: 2, perWorker: SMOKE ? 5 : 20, apiMs: 300 },
	{ death: 'outside login', workers: 2, perWorker: SMOKE ? 5 : 20, apiMs: 300 },
	{ death: 'outside login', workers: 2, perWorker: SMOKE ? 5 : 10, apiMs: 6000 },
	...(SMOKE ? [] : [{ death: 'outside login' as const, workers: 6, perWorker: 5, apiMs: 6000 }]),
];
const CONCURRENCY = [1, 10, 50];
const SOAK_LIFETIME_S = 2;

function progress(line: string): void {
	process.stderr.write(`[bench] ${line}\n`);
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const per1000 = (value: number, requests: number): string => {
	const v = (value * 1000) / requests;
	return Number.isInteger(v) ? String(v) : v.toFixed(1);
};

async function loadSection(): Promise<RunResult[]> {
	// FortiLAN Cloud keeps its real limit (6 auth calls a minute per client_id); reset() between runs
	// empties the window, so every run starts with the full budget.
	const emulator = await startEmulator();
	const results: RunResult[] = [];
	try {
		for (const service of BENCH_CASES) {
			for (const concurrency of CONCURRENCY) {
				for (const impl of ['ours', 'baseline'] as Impl[]) {
					const result = await loadRun(emulator, service, impl, concurrency, REQUESTS);
					results.push(result);
					progress(
						`load ${service.label} c=${concurrency} ${impl}: logins ${result.logins}, refreshes ${result.refreshes}, ` +
							`401s ${result.apiRejected}, 429s ${result.rateLimited}, failed ${result.failed} (${fmt(result.wallMs / 1000, 1)} s)`,
					);
				}
			}
		}
	} finally {
		await emulator.close();
	}
	return results;
}

async function soakSection(): Promise<SoakResult[]> {
	const lifetimes: Record<string, number> = {};
	for (const service of BENCH_CASES) if (service.lifetimeKey) lifetimes[service.lifetimeKey] = SOAK_LIFETIME_S;
	// 2-second tokens would need ~30 renewals a minute: FortiLAN's 6-a-minute limit is lifted here
	// (the load section measures it); it counts refreshes as well as logins.
	const emulator = await startEmulator({ lifetimes, rateLimits: { fortilancloud: null, fortiedgecloud: null } });
	clearTokenCache();
	try {
		const runs = BENCH_CASES.filter((s) => s.lifetimeKey).flatMap((service) =>
			(['ours', 'baseline'] as Impl[]).map(
				async (impl) =>
					await soakRun(emulator, service, impl, { concurrency: 3, durationMs: SOAK_MS, thinkMs: 100, lifetimeS: SOAK_LIFETIME_S }),
			),
		);
		const results = await Promise.all(runs);
		for (const r of results) {
			progress(`soak ${r.service} ${r.impl}: ${r.requests} requests, logins ${r.logins}, refreshes ${r.refreshes}, 401s ${r.apiRejected}, failed ${r.failed}`);
		}
		return results;
	} finally {
		await emulator.close();
	}
}

const LOOKUPS = 8;

async function failureSection(): Promise<FailureRunResult[]> {
	// FortiLAN Cloud keeps its real limit (6 auth calls a minute): a renewal per 404 reaches it.
	const emulator = await startEmulator();
	const results: FailureRunResult[] = [];
	try {
		for (const service of BENCH_CASES) {
			for (const impl of ['ours', 'baseline'] as Impl[]) {
				const result = await failureRun(emulator, service, impl, LOOKUPS);
				results.push(result);
				progress(`404 run ${service.label} ${impl}: renewals ${result.renewals}, 429s ${result.rateLimited}, API error shown ${result.apiErrorShown}/${LOOKUPS}`);
			}
		}
	} finally {
		await emulator.close();
	}
	return results;
}

async function queueSection(): Promise<QueueRunResult[]> {
	const emulator = await startEmulator();
	const lan = caseOf('fortiLanCloudApi');
	const results: QueueRunResult[] = [];
	try {
		for (const scenario of QUEUE_SCENARIOS) {
			for (const impl of ['ours', 'baseline'] as Impl[]) {
				const result = await queueRun(emulator, lan, impl, scenario);
				results.push(result);
				progress(`queue mode ${describeScenario(scenario)} ${impl}: renewals ${result.renewals}, failed ${result.failed}/${result.executions}`);
			}
		}
	} finally {
		await emulator.close();
	}
	return results;
}

function describeScenario({ death, workers, apiMs }: QueueScenario): string {
	return `${death}, ${workers} workers, API ${apiMs >= 1000 ? `${apiMs / 1000} s` : `${apiMs} ms`}`;
}

async function overheadSection(): Promise<{ http: HttpOverhead[]; inProcess: InProcessTiming[] }> {
	const emulator = await startEmulator();
	try {
		clearTokenCache();
		const credentials = await warmCredential(emulator);
		const http = await httpOverhead(credentials, `${emulator.urls.iam}/resource-api/v2/endpoints`, SMOKE ? { rounds: 5, perRound: 20 } : { rounds: 41, perRound: 200 });
		for (const h of http) progress(`overhead ${h.client}: median ratio ${fmt(h.medianRatio, 3)}`);
		const inProcess = await inProcessOverhead(credentials, SMOKE ? 2_000 : 50_000);
		for (const t of inProcess) progress(`in-process ${t.name}: p50 ${fmt(t.p50Us, 2)} µs, p99 ${fmt(t.p99Us, 2)} µs`);
		return { http, inProcess };
	} finally {
		clearTokenCache();
		await emulator.close();
	}
}

function report(
	load: RunResult[],
	soak: SoakResult[],
	overhead: { http: HttpOverhead[]; inProcess: InProcessTiming[] },
	memory: MemoryResult[],
	failures: FailureRunResult[],
	retained: RetainedResult[],
	queue: QueueRunResult[],
	totalS: number,
): string {
	const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
	const lines: string[] = [];
	const out = (line = '') => lines.push(line);
	out('## Performance');
	out();
	out(
		`_${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · Node ${process.version} · ${os.cpus().length} CPUs (${cpu}) · ${os.platform()} ${os.arch()} · whole run ${fmt(totalS)} s_`,
	);
	out();
	out(
		'How to reproduce: `npm run bench` (in-process Fortinet emulator on 127.0.0.1; every request goes through n8n-core\'s real `requestWithAuthentication`, as the HTTP Request node does).',
	);
	out();
	out(
		'**Baseline** = a credential written the way n8n\'s docs show: `preAuthentication` logs in with `this.helpers.httpRequest` whenever the token is empty (n8n also calls it after any failed request), returns `{sessionToken}`, nothing shared between executions; `Authorization: Bearer {{$credentials.sessionToken}}`. ' +
			'**Ours** = this package\'s credentials. Each authenticated request is one execution, which loads the stored credential at its start.',
	);
	out();
	out(`### Logins per 1,000 authenticated requests (${REQUESTS} requests per run, fresh API user per run)`);
	out();
	out('FortiLAN Cloud runs with its real limit of 6 auth calls per minute. "failed" = requests that finally threw after n8n\'s own retry; "401s" = calls the API rejected.');
	out();
	out('| service | concurrency | logins ours | logins baseline | refreshes ours | failed ours | failed baseline | 401s ours | 401s baseline | 429s baseline |');
	out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
	for (const service of BENCH_CASES) {
		for (const concurrency of CONCURRENCY) {
			const ours = load.find((r) => r.service === service.label && r.concurrency === concurrency && r.impl === 'ours');
			const base = load.find((r) => r.service === service.label && r.concurrency === concurrency && r.impl === 'baseline');
			if (!ours || !base) continue;
			out(
				`| ${service.label} | ${concurrency} | ${per1000(ours.logins, ours.requests)} | ${per1000(base.logins, base.requests)} | ` +
					`${per1000(ours.refreshes, ours.requests)} | ${per1000(ours.failed, ours.requests)} | ${per1000(base.failed, base.requests)} | ` +
					`${per1000(ours.apiRejected, ours.requests)} | ${per1000(base.apiRejected, base.requests)} | ${per1000(base.rateLimited, base.requests)} |`,
			);
		}
	}
	out();
	const soakS = soak[0]?.durationS ?? SOAK_MS / 1000;
	out(
		`### Soak: ${SOAK_LIFETIME_S}-second tokens for ${fmt(soakS, 1)} s (≈${fmt(soakS / SOAK_LIFETIME_S, 1)} lifetimes), 3 concurrent workers per credential, 100 ms pause between executions`,
	);
	out();
	out('All ten runs at once (5 services × ours/baseline; FortiAuthenticator tokens never expire). FortiLAN\'s rate limit is lifted here: 2-second tokens need ~30 renewals a minute.');
	out();
	out('| service | impl | requests | logins | refreshes | 401s the API saw | failed |');
	out('|---|---|---:|---:|---:|---:|---:|');
	for (const r of soak) {
		out(`| ${r.service} | ${r.impl} | ${r.requests} | ${r.logins} | ${r.refreshes} | ${r.apiRejected} | ${r.failed} |`);
	}
	out();
	out(`### A run of API failures: ${LOOKUPS} lookups of devices that do not exist, one after another, with a live token`);
	out();
	out('n8n\'s HTTP Request node runs the login hook after every failed request. FortiLAN Cloud with its real limit (6 auth calls a minute). "API error shown" = lookups whose error is the API\'s own 404.');
	out();
	out('| service | renewals ours | renewals baseline | 429s ours | 429s baseline | API error shown ours | API error shown baseline |');
	out('|---|---:|---:|---:|---:|---:|---:|');
	for (const service of BENCH_CASES) {
		const ours = failures.find((r) => r.service === service.label && r.impl === 'ours');
		const base = failures.find((r) => r.service === service.label && r.impl === 'baseline');
		if (!ours || !base) continue;
		out(`| ${service.label} | ${ours.renewals} | ${base.renewals} | ${ours.rateLimited} | ${base.rateLimited} | ${ours.apiErrorShown}/${ours.lookups} | ${base.apiErrorShown}/${base.lookups} |`);
	}
	out();
	out('### Queue mode: renewals and failed executions per token death');
	out();
	out('FortiLAN Cloud, one API user; workers, each with its own copy of the package, sharing only the stored credential (as n8n\'s database); every execution of the wave loaded before the death. With a slow API the outside login comes in the middle of the wave, while every request is in flight. The real cluster runs in the end-to-end suite.');
	out();
	out('| token death | executions | renewals ours | renewals baseline | failed executions ours | failed executions baseline |');
	out('|---|---:|---:|---:|---:|---:|');
	for (const scenario of QUEUE_SCENARIOS) {
		const same = (r: QueueRunResult) => describeScenario(r) === describeScenario(scenario);
		const ours = queue.find((r) => same(r) && r.impl === 'ours');
		const base = queue.find((r) => same(r) && r.impl === 'baseline');
		if (!ours || !base) continue;
		out(`| ${describeScenario(scenario)} | ${ours.executions} | ${ours.renewals} | ${base.renewals} | ${ours.failed} | ${base.failed} |`);
	}
	out();
	out('### Per-request overhead of the engine\'s `authenticate` vs a static header');
	out();
	out('(a) Real loopback HTTP to the emulator\'s FortiSASE API (the credential\'s own host: the engine sends its token nowhere else), same request loop for both; every request treated as the first of its execution (a fresh credentials object, so the identity is parsed and hashed each time: the worst case); rounds alternate static/ours, ratio per round, median reported (target ≤ 1.05).');
	out();
	out('| client | rounds × requests | static µs/req | ours µs/req | median ratio ours/static | min–max ratio |');
	out('|---|---:|---:|---:|---:|---:|');
	for (const h of overhead.http) {
		out(
			`| ${h.client} | ${h.rounds} × ${h.requestsPerRound} | ${fmt(h.staticUsPerRequest, 1)} | ${fmt(h.oursUsPerRequest, 1)} | **${fmt(h.medianRatio, 3)}** | ${fmt(h.minRatio, 3)}–${fmt(h.maxRatio, 3)} |`,
		);
	}
	out();
	out('(b) In-process, the call alone (cached FortiSASE token, awaited), chunks interleaved:');
	out();
	out('| function | calls | p50 µs | p99 µs | mean µs |');
	out('|---|---:|---:|---:|---:|');
	for (const t of overhead.inProcess) out(`| ${t.name} | ${t.calls} | ${fmt(t.p50Us, 2)} | ${fmt(t.p99Us, 2)} | ${fmt(t.meanUs, 2)} |`);
	out();
	out('### Memory of the token cache');
	out();
	out(
		`Real entries made by the engine's \`getToken\` (request building, response parser, identity hash), the HTTP answer stubbed in-process with the services' real token sizes so the emulator's own memory is not counted. Heap after full GC (${memory[0]?.gc ?? 'gc'}); cache capacity ${IDENTITIES}.`,
	);
	out();
	out(`| token shape | identities | heap delta | per entry | after inserting ${3 * IDENTITIES} identities: entries kept | heap delta | growth vs full cache |`);
	out('|---|---:|---:|---:|---:|---:|---:|');
	for (const m of memory) {
		out(
			`| ${m.shape} | ${m.identities} (size ${m.cacheSize}) | ${fmt(m.heapDeltaMB, 1)} MB | ${fmt(m.bytesPerEntry)} B | ${m.overfill?.sizeAfter ?? ''} | ${fmt(m.overfill?.heapAfterMB ?? NaN, 1)} MB | ${fmt(m.overfill?.growth ?? NaN, 2)}× |`,
		);
	}
	out();
	out('### Memory kept after executions end');
	out();
	out('Each simulated execution hands the login hook helpers that close over 8 MB of run data (as n8n-core\'s helpers close over the workflow and its items), then ends. Heap after full GC, compared with before.');
	out();
	out('| holder | executions | run data created | retained after they ended |');
	out('|---|---:|---:|---:|');
	for (const r of retained) out(`| ${r.holder} | ${r.executions} | ${fmt(r.runDataMB)} MB | ${fmt(r.retainedMB, 1)} MB |`);
	out();
	return lines.join('\n');
}

interface Results {
	load: RunResult[];
	soak: SoakResult[];
	memory: MemoryResult[];
	failures: FailureRunResult[];
	queue: QueueRunResult[];
}

/**
 * The counts the README promises for this package's credentials (never timings), each broken one
 * as a sentence. More than two workers with a slow API are measured, not promised (README).
 */
function broken({ load, soak, memory, failures, queue }: Results): string[] {
	const ours = <T extends { impl: Impl }>(rows: T[]): T[] => rows.filter((r) => r.impl === 'ours');
	return [
		...ours(load).flatMap((r) => (r.failed > 0 || r.logins > 1 ? [`load ${r.service} c=${r.concurrency}: ${r.failed} failed, ${r.logins} logins`] : [])),
		...ours(soak).flatMap((r) => (r.failed > 0 ? [`soak ${r.service}: ${r.failed} failed`] : [])),
		...ours(failures).flatMap((r) => (r.apiErrorShown < r.lookups || r.rateLimited > 0 ? [`404 run ${r.service}: API error shown ${r.apiErrorShown}/${r.lookups}, ${r.rateLimited} 429s`] : [])),
		...ours(queue).flatMap((r) =>
			(r.workers <= 2 && r.failed > 0) || r.renewals > r.workers ? [`queue ${describeScenario(r)}: ${r.failed} failed, ${r.renewals} renewals`] : [],
		),
		...memory.flatMap((m) => (m.overfill && m.overfill.sizeAfter > m.cacheSize ? [`memory ${m.shape}: ${m.overfill.sizeAfter} entries kept, cache size ${m.cacheSize}`] : [])),
	];
}

/** The Performance section of docs/DEVELOPMENT.md (up to the next `## ` heading) becomes the generated report. */
function intoReadme(markdown: string): string {
	const file = path.join(__dirname, '..', '..', 'docs', 'DEVELOPMENT.md');
	const readme = readFileSync(file, 'utf8');
	const start = readme.indexOf('\n## Performance\n');
	const end = readme.indexOf('\n## ', start + 1);
	if (start < 0 || end < 0) throw new Error('docs/DEVELOPMENT.md has no "## Performance" section followed by another section');
	writeFileSync(file, `${readme.slice(0, start + 1)}${markdown.trimEnd()}\n${readme.slice(end)}`);
	return file;
}

async function main(): Promise<void> {
	const started = performance.now();
	const defaults = { ...settings };
	try {
		progress(`load: ${BENCH_CASES.length} services × concurrency ${CONCURRENCY.join('/')} × ours/baseline, ${REQUESTS} requests each`);
		const load = await loadSection();
		progress(`soak: ${SOAK_MS / 1000} s of ${SOAK_LIFETIME_S}-second tokens`);
		const soak = await soakSection();
		progress('overhead');
		const overhead = await overheadSection();
		progress(`memory: ${IDENTITIES} identities, then ${3 * IDENTITIES}`);
		const memory = await cacheMemory(IDENTITIES);
		progress(`404 runs: ${LOOKUPS} lookups per service`);
		const failures = await failureSection();
		progress('memory kept after executions end');
		const retained = await retainedMemory();
		for (const r of retained) progress(`retained ${r.holder}: ${fmt(r.retainedMB, 1)} MB of ${fmt(r.runDataMB)} MB`);
		for (const m of memory) {
			progress(`memory ${m.shape}: ${fmt(m.heapDeltaMB, 1)} MB for ${m.identities}; after ${m.overfill?.inserted}: size ${m.overfill?.sizeAfter}, ${fmt(m.overfill?.growth ?? NaN, 2)}×`);
		}
		progress('queue mode: two workers sharing one stored credential');
		const queue = await queueSection();
		const markdown = report(load, soak, overhead, memory, failures, retained, queue, (performance.now() - started) / 1000);
		process.stdout.write(`${markdown}\n`);
		const problems = broken({ load, soak, memory, failures, queue });
		for (const problem of problems) progress(`BROKEN: ${problem}`);
		if (problems.length > 0) process.exitCode = 1;
		if (SMOKE) return progress(problems.length > 0 ? 'smoke: counts broken' : 'smoke: every count holds');
		const file = path.join(__dirname, 'RESULTS.md');
		writeFileSync(file, `${markdown}\n`);
		progress(`written to ${path.relative(process.cwd(), file)} and ${path.relative(process.cwd(), intoReadme(markdown))}`);
	} finally {
		configureEngine(defaults);
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});
