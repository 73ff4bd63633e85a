/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test and tool code runs in Node, not inside n8n: child processes and evaluated expressions, emulator fixtures, Node globals, Node's modules, plain errors are its to use */
/**
 * End-to-end harness that drives a REAL n8n (the version pinned by scripts/install-n8n.sh).
 *
 * - `ensureN8n()` installs (first run only) and returns the n8n binary.
 * - `installPackage()` packs this repository (must be built) and installs the tarball into
 *   `<userFolder>/.n8n/nodes`, exactly as a user's n8n loads a community package.
 * - `N8nEnv` is one isolated n8n instance (own user folder, database, encryption key and ports)
 *   with the headless CLI (`import:*`, `execute`, `export:credentials`) and `startServer()`.
 * - `N8nServer` wraps a running `n8n start`: owner setup, API key, public API, webhooks, logs.
 *
 * Everything n8n prints (CLI and server) is collected in `env.logs` / `server.logs` (ANSI colours
 * stripped) so tests can scan for leaked secrets. Set `N8N_E2E_KEEP=1` to keep temp folders and
 * `N8N_E2E_VERBOSE=1` to mirror n8n's output to the test's stderr.
 */
import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { sleep } from '../support/time';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Fixed key so credentials imported as plain `data` are encrypted/decrypted consistently. */
export const E2E_ENCRYPTION_KEY = 'e2e-fixed-encryption-key-0123456789abcdef';

const VERBOSE = process.env.N8N_E2E_VERBOSE === '1';
const KEEP = process.env.N8N_E2E_KEEP === '1';

// --------------------------------------------------------------------------------------------
// Types
// --------------------------------------------------------------------------------------------

/** info or debug: `n8n execute` prints its run JSON through the logger at info level. */
export type LogLevel = 'info' | 'debug';

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	/** Plain (unencrypted) credential data; n8n encrypts it on import. */
	data: Record<string, unknown>;
}

export interface ExportedCredential {
	id: string;
	name: string;
	type: string;
	/** Decrypted data as persisted in the database. */
	data: Record<string, unknown>;
	createdAt?: string;
	updatedAt?: string;
	isManaged?: boolean;
}

export interface NodeCredentialRef {
	id: string;
	name: string;
}

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, NodeCredentialRef>;
	webhookId?: string;
	disabled?: boolean;
	continueOnFail?: boolean;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
}

export interface ConnectionTarget {
	node: string;
	type: string;
	index: number;
}

export type WorkflowConnections = Record<string, Record<string, ConnectionTarget[][]>>;

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: WorkflowConnections;
	settings?: Record<string, unknown>;
	active?: boolean;
}

export interface SerializedNodeError {
	message?: string;
	description?: string | null;
	name?: string;
	httpCode?: string | null;
	stack?: string;
	node?: { name?: string; type?: string };
	[key: string]: unknown;
}

export interface NodeExecutionItem {
	json: Record<string, unknown>;
	binary?: Record<string, unknown>;
	pairedItem?: unknown;
	error?: SerializedNodeError;
}

export interface TaskData {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	source?: unknown[];
	data?: Record<string, Array<NodeExecutionItem[] | null>>;
	error?: SerializedNodeError;
}

/** What `n8n execute --rawOutput` prints (IRun) and what the public API returns as `data`. */
export interface N8nRun {
	data: {
		resultData: {
			runData: Record<string, TaskData[]>;
			error?: SerializedNodeError;
			lastNodeExecuted?: string;
		};
	};
	finished?: boolean;
	mode?: string;
	status?: string;
	startedAt?: string;
	stoppedAt?: string;
}

export interface CliResult {
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

export interface ExecuteResult extends CliResult {
	/** Parsed run data (stdout on success; the logged run on failure), if any JSON was found. */
	output: N8nRun | undefined;
}

export interface InstalledPackage {
	name: string;
	version: string;
	/** File name of the packed tarball (already deleted). */
	tarball: string;
	installedDir: string;
}

export interface N8nEnvOptions {
	logLevel?: LogLevel;
	/** Extra env vars for every n8n process of this environment (override the defaults; undefined removes one). */
	env?: Record<string, string | undefined>;
	/** Install this package directory (default: the repo) into the user folder's nodes dir. */
	installPackageFrom?: string | false;
	/**
	 * Use this (persistent) folder as N8N_USER_FOLDER instead of a new temp dir; it is created if
	 * missing and never removed by `cleanup()` (for the long-running demo, `npm start`).
	 */
	userFolder?: string;
	/** Fixed ports instead of free ones (N8N_PORT, N8N_RUNNERS_BROKER_PORT). */
	port?: number;
	brokerPort?: number;
	/** Called with every chunk n8n prints (CLI and server, ANSI colours kept), e.g. to mirror it to a terminal. */
	onOutput?: (chunk: string) => void;
}

export interface OwnerInfo {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
	cookie: string;
}

export interface PublicCredential {
	id: string;
	name: string;
	type: string;
	createdAt?: string;
	updatedAt?: string;
}

export interface PublicWorkflow {
	id: string;
	name: string;
	active: boolean;
	nodes: WorkflowNode[];
	connections: WorkflowConnections;
	settings?: Record<string, unknown>;
	versionId?: string;
	activeVersionId?: string | null;
}

export interface PublicExecution {
	id: number | string;
	finished: boolean;
	mode: string;
	status: string;
	workflowId: string;
	startedAt: string;
	stoppedAt: string | null;
	data?: N8nRun['data'];
}

export interface ListExecutionsQuery {
	workflowId?: string;
	status?: 'canceled' | 'error' | 'running' | 'success' | 'waiting';
	includeData?: boolean;
	limit?: number;
}

export interface CredentialTypeDescription {
	name: string;
	displayName: string;
	properties: Array<{ name: string; type: string; [key: string]: unknown }>;
	authenticate?: unknown;
	preAuthentication?: unknown;
	test?: unknown;
	extends?: string[];
	supportedNodes?: string[];
	[key: string]: unknown;
}

export interface NodeTypeDescription {
	name: string;
	displayName: string;
	version: number | number[];
	[key: string]: unknown;
}

// --------------------------------------------------------------------------------------------
// Process bookkeeping: nothing may outlive the test process.
// --------------------------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.once('exit', () => {
		for (const child of liveChildren) {
			try {
				if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		if (!KEEP) {
			for (const dir of tempDirs) {
				try {
					fs.rmSync(dir, { recursive: true, force: true });
				} catch {
					// best effort
				}
			}
		}
	});
}

function track(child: ChildProcess): void {
	installExitHook();
	liveChildren.add(child);
	child.once('exit', () => liveChildren.delete(child));
}

export function makeTempDir(prefix: string): string {
	installExitHook();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	tempDirs.add(dir);
	return dir;
}

/**
 * Kills every process this harness started that is still alive and removes every temp dir it
 * created (kept with N8N_E2E_KEEP=1). Call it from `afterAll`: under jest, 'exit' hooks registered
 * from test files never fire.
 */
export function cleanupAll(): void {
	for (const child of liveChildren) {
		child.stdin?.end();
		child.kill('SIGTERM');
	}
	if (!KEEP) {
		for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
		tempDirs.clear();
	}
}

export function removeTempDir(dir: string): void {
	tempDirs.delete(dir);
	if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
export function stripAnsi(text: string): string {
	return text.replace(ANSI, '');
}

export { sleep };

export async function freePort(): Promise<number> {
	return await new Promise<number>((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const address = srv.address();
			const port = typeof address === 'object' && address !== null ? address.port : 0;
			srv.close(() => resolve(port));
		});
	});
}

const usedPorts = new Set<number>();
async function distinctFreePort(): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = await freePort();
		if (!usedPorts.has(port)) {
			usedPorts.add(port);
			return port;
		}
	}
	throw new Error('could not find a distinct free port');
}

/**
 * A watchdog between the test process and each n8n process: it forwards SIGTERM/SIGINT, and when
 * its stdin pipe closes (the test process died, e.g. jest was killed or exited without afterAll)
 * it SIGTERMs n8n, then SIGKILLs it after 10 s. Needed because jest's sandboxed `process` never
 * emits 'exit' to handlers registered from a test file.
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const [command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const kill = (signal) => { try { child.kill(signal); } catch {} };
process.on('SIGTERM', () => kill('SIGTERM'));
process.on('SIGINT', () => kill('SIGINT'));
process.stdin.on('error', () => {});
process.stdin.on('end', () => { kill('SIGTERM'); setTimeout(() => kill('SIGKILL'), 10000).unref(); });
process.stdin.resume();
child.on('error', (error) => { console.error(String(error)); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code === null ? 128 + (signal === 'SIGKILL' ? 9 : 15) : code));
`;

/** Spawns `command args` under the watchdog (stdout/stderr piped to us). */
export function spawnGuarded(
	command: string,
	args: string[],
	opts: { cwd?: string; env?: NodeJS.ProcessEnv },
): ChildProcess {
	const child = spawn(process.execPath, ['-e', WATCHDOG, command, ...args], {
		cwd: opts.cwd,
		env: opts.env ?? process.env,
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	child.stdin?.on('error', () => undefined);
	track(child);
	return child;
}

interface RunOptions {
	cwd?: string;
	/** Run under the watchdog (see spawnGuarded) so it dies with the test process. */
	guarded?: boolean;
	env?: NodeJS.ProcessEnv;
	timeoutMs: number;
	onOutput?: (chunk: string) => void;
}

/** Runs a command, collecting its output; kills it (SIGKILL) after `timeoutMs`. */
export async function run(command: string, args: string[], opts: RunOptions): Promise<CliResult> {
	const started = Date.now();
	const child =
		opts.guarded === true
			? spawnGuarded(command, args, { cwd: opts.cwd, env: opts.env })
			: spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
	if (opts.guarded !== true) track(child);
	let stdout = '';
	let stderr = '';
	child.stdout?.setEncoding('utf8');
	child.stderr?.setEncoding('utf8');
	child.stdout?.on('data', (chunk: string) => {
		stdout += chunk;
		opts.onOutput?.(chunk);
		if (VERBOSE) process.stderr.write(chunk);
	});
	child.stderr?.on('data', (chunk: string) => {
		stderr += chunk;
		opts.onOutput?.(chunk);
		if (VERBOSE) process.stderr.write(chunk);
	});
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		if (opts.guarded === true) {
			// closing stdin makes the watchdog SIGTERM, then SIGKILL, its child
			child.stdin?.end();
			setTimeout(() => child.kill('SIGKILL'), 12_000).unref();
		} else {
			child.kill('SIGKILL');
		}
	}, opts.timeoutMs);
	return await new Promise<CliResult>((resolve, reject) => {
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.once('close', (exitCode, signal) => {
			clearTimeout(timer);
			const result: CliResult = {
				exitCode,
				signal,
				stdout: stripAnsi(stdout),
				stderr: stripAnsi(stderr),
				durationMs: Date.now() - started,
			};
			if (timedOut) {
				reject(
					new Error(
						`${path.basename(command)} ${args.join(' ')} timed out after ${opts.timeoutMs} ms\n` +
							`stdout:\n${result.stdout.slice(-4000)}\nstderr:\n${result.stderr.slice(-4000)}`,
					),
				);
				return;
			}
			resolve(result);
		});
	});
}

// --------------------------------------------------------------------------------------------
// Installing n8n and the package under test
// --------------------------------------------------------------------------------------------

/** `npm run build` of this repository: what installPackageFrom packs is the current source. */
export function buildPackage(): void {
	const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8' });
	if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

let cachedBin: string | undefined;

/**
 * Runs scripts/install-n8n.sh (installs into .cache/n8n-<version> on first use, ~5 min; reuses it
 * afterwards) and returns the n8n binary path.
 */
export function ensureN8n(): string {
	if (cachedBin !== undefined && fs.existsSync(cachedBin)) return cachedBin;
	const result = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-n8n.sh')], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
		timeout: 15 * 60_000,
	});
	if (result.error) throw result.error;
	if (result.status !== 0) throw new Error(`install-n8n.sh failed with exit code ${result.status}`);
	const lines = result.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
	const bin = lines[lines.length - 1];
	if (bin === undefined || !fs.existsSync(bin)) {
		throw new Error(`install-n8n.sh did not print an existing n8n binary: ${result.stdout}`);
	}
	cachedBin = bin;
	return bin;
}

/**
 * The Node.js that runs the n8n installed at `bin` (…/.cache/n8n-<version>/node_modules/.bin/n8n):
 * install-n8n.sh records it in .runtime (Node 24 for the versions that need it).
 */
export function n8nRuntime(bin: string = ensureN8n()): string {
	const file = path.join(path.dirname(bin), '..', '..', '.runtime');
	const recorded = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
	return recorded && fs.existsSync(recorded) ? recorded : process.execPath;
}

/** The n8n version installed at `bin` (…/node_modules/.bin/n8n → …/node_modules/n8n/package.json). */
export function n8nVersion(bin: string = ensureN8n()): string {
	const pkgFile = path.join(path.dirname(bin), '..', 'n8n', 'package.json');
	const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string };
	return pkg.version;
}

interface NpmPackResult {
	filename: string;
	name: string;
	version: string;
}

/**
 * `npm pack`s `packageDir` (default: this repository, which must already be built: `files` is
 * `["dist"]`) and installs the tarball into `<userFolder>/.n8n/nodes`, the folder n8n scans for
 * community packages (`node_modules/n8n-nodes-*`).
 */
export async function installPackage(
	userFolder: string,
	packageDir: string = REPO_ROOT,
): Promise<InstalledPackage> {
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
		name: string;
		files?: string[];
	};
	if (pkg.files?.includes('dist') && !fs.existsSync(path.join(packageDir, 'dist'))) {
		throw new Error(`${packageDir}/dist does not exist: run \`npm run build\` before the e2e tests`);
	}
	const packDir = makeTempDir('n8n-e2e-pack-');
	const npmEnv: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
	const packed = await run('npm', ['pack', '--json', '--pack-destination', packDir], {
		cwd: packageDir,
		env: npmEnv,
		timeoutMs: 120_000,
	});
	if (packed.exitCode !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
	const jsonStart = packed.stdout.indexOf('[');
	const info = (JSON.parse(packed.stdout.slice(jsonStart)) as NpmPackResult[])[0];
	if (info === undefined) throw new Error(`npm pack printed no result:\n${packed.stdout}`);
	const tarball = path.join(packDir, info.filename);

	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const nodesPkg = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(nodesPkg)) {
		fs.writeFileSync(
			nodesPkg,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	}
	const installed = await run(
		'npm',
		['install', tarball, '--legacy-peer-deps', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
		{ cwd: nodesDir, env: npmEnv, timeoutMs: 300_000 },
	);
	if (installed.exitCode !== 0) {
		throw new Error(`npm install ${tarball} failed:\n${installed.stdout}\n${installed.stderr}`);
	}
	removeTempDir(packDir);
	const installedDir = path.join(nodesDir, 'node_modules', info.name);
	if (!fs.existsSync(path.join(installedDir, 'package.json'))) {
		throw new Error(`package not found at ${installedDir} after npm install`);
	}
	return { name: info.name, version: info.version, tarball: info.filename, installedDir };
}

// --------------------------------------------------------------------------------------------
// Output parsing
// --------------------------------------------------------------------------------------------

/**
 * Finds the run JSON in `n8n execute` output. In production mode n8n prints it through its logger
 * (`this.log` = `logger.info`), so the `JSON.stringify(run, null, 2)` block starts after a log
 * prefix (`<ts> | info  | {`) and ends with `} {"file":"base-command.js",...}`; log lines precede
 * and follow it. Without a log prefix (other log formats) the block starts with a bare `{`.
 * Needs N8N_LOG_LEVEL info or debug: at warn/error the run is not printed at all.
 */
export function parseRunOutput(text: string): N8nRun | undefined {
	const lines = stripAnsi(text).split('\n');
	const starts: number[] = [];
	const ends: number[] = [];
	lines.forEach((line, i) => {
		const trimmed = line.trimEnd();
		if (trimmed === '{' || /\|\s*[a-z]+\s*\|\s*\{$/.test(trimmed)) starts.push(i);
		if (line.startsWith('}')) ends.push(i);
	});
	let found: N8nRun | undefined;
	let from = -1;
	for (const start of starts) {
		if (start <= from) continue;
		const first = lines[start] as string;
		const head = first.slice(first.lastIndexOf('{'));
		for (let e = ends.length - 1; e >= 0; e--) {
			const end = ends[e] as number;
			if (end <= start) break;
			try {
				const parsed = JSON.parse([head, ...lines.slice(start + 1, end), '}'].join('\n')) as unknown;
				if (isRun(parsed)) {
					found = parsed;
					from = end;
					break;
				}
			} catch {
				// not this span
			}
		}
	}
	return found;
}

function isRun(value: unknown): value is N8nRun {
	if (typeof value !== 'object' || value === null) return false;
	const data = (value as { data?: unknown }).data;
	return typeof data === 'object' && data !== null && 'resultData' in data;
}

/** The `json` of every item a node output on `main[outputIndex]` in its last run. */
export function nodeItems(run: N8nRun | undefined, nodeName: string, outputIndex = 0): Array<Record<string, unknown>> {
	const runs = run?.data.resultData.runData[nodeName];
	const last = runs?.[runs.length - 1];
	const items = last?.data?.main?.[outputIndex] ?? [];
	return items.map((item) => item.json);
}

/** The error a node ended with (its last run), if any. */
export function nodeError(run: N8nRun | undefined, nodeName: string): SerializedNodeError | undefined {
	const runs = run?.data.resultData.runData[nodeName];
	return runs?.[runs.length - 1]?.error;
}

// --------------------------------------------------------------------------------------------
// Isolated environment
// --------------------------------------------------------------------------------------------

/** A 16-character alphanumeric id as n8n uses for workflows/credentials. */
export function n8nId(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = randomBytes(16);
	let id = '';
	for (let i = 0; i < 16; i++) id += alphabet[(bytes[i] as number) % alphabet.length];
	return id;
}

/** Env vars inherited from the test process that must not reach n8n. */
const STRIPPED_ENV = /^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|NODE_ENV$|NODE_OPTIONS$|JEST_|(HTTPS?|ALL|NO)_PROXY$)/i;

export class N8nEnv {
	readonly bin: string;
	readonly root: string;
	readonly userFolder: string;
	readonly port: number;
	readonly brokerPort: number;
	readonly env: NodeJS.ProcessEnv;
	installed: InstalledPackage | undefined;
	/** True when the user folder was given (`opts.userFolder`): `cleanup()` keeps it. */
	readonly persistent: boolean;
	readonly onOutput: ((chunk: string) => void) | undefined;
	private logBuffer = '';
	private servers = new Set<N8nServer>();

	private constructor(bin: string, root: string, port: number, brokerPort: number, opts: N8nEnvOptions) {
		this.bin = bin;
		this.root = root;
		this.userFolder = root;
		this.port = port;
		this.brokerPort = brokerPort;
		this.persistent = opts.userFolder !== undefined;
		this.onOutput = opts.onOutput;
		const inherited: NodeJS.ProcessEnv = {};
		for (const [key, value] of Object.entries(process.env)) {
			if (!STRIPPED_ENV.test(key)) inherited[key] = value;
		}
		this.env = {
			...inherited,
			NODE_ENV: 'production',
			NO_COLOR: '1',
			FORCE_COLOR: '0',
			NO_PROXY: '127.0.0.1,localhost',
			N8N_USER_FOLDER: root,
			N8N_ENCRYPTION_KEY: E2E_ENCRYPTION_KEY,
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_PORT: String(port),
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			N8N_PUBLIC_API_DISABLED: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_LOG_LEVEL: opts.logLevel ?? 'debug',
			N8N_LOG_OUTPUT: 'console',
			DB_TYPE: 'sqlite',
			EXECUTIONS_MODE: 'regular',
			GENERIC_TIMEZONE: 'UTC',
			...opts.env,
		};
		for (const [key, value] of Object.entries(this.env)) if (value === undefined) delete this.env[key];
	}

	/**
	 * Creates an isolated n8n environment: temp user folder, fixed encryption key, free ports.
	 * With `installPackageFrom` (a directory) the package is packed and installed first.
	 */
	static async create(opts: N8nEnvOptions = {}): Promise<N8nEnv> {
		const bin = ensureN8n();
		let root: string;
		if (opts.userFolder !== undefined) {
			root = path.resolve(opts.userFolder);
			fs.mkdirSync(root, { recursive: true });
		} else {
			root = makeTempDir('n8n-e2e-');
		}
		const port = opts.port ?? (await distinctFreePort());
		const brokerPort = opts.brokerPort ?? (await distinctFreePort());
		const env = new N8nEnv(bin, root, port, brokerPort, opts);
		if (opts.installPackageFrom !== undefined && opts.installPackageFrom !== false) {
			env.installed = await installPackage(root, opts.installPackageFrom);
		}
		return env;
	}

	/** Everything all CLI runs and servers of this environment printed so far (ANSI stripped). */
	get logs(): string {
		return this.logBuffer;
	}

	appendLog(chunk: string): void {
		this.logBuffer += stripAnsi(chunk);
	}

	/** Runs `n8n <args>` in this environment. */
	async cli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
		this.appendLog(`\n$ n8n ${args.join(' ')}\n`);
		return await run(n8nRuntime(this.bin), [this.bin, ...args], {
			guarded: true,
			cwd: this.root,
			env: this.env,
			timeoutMs,
			onOutput: (chunk) => {
				this.appendLog(chunk);
				this.onOutput?.(chunk);
			},
		});
	}

	private writeInput(name: string, value: unknown): string {
		const dir = path.join(this.root, 'io');
		fs.mkdirSync(dir, { recursive: true });
		const file = path.join(dir, `${name}-${Date.now()}-${randomUUID()}.json`);
		fs.writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
		return file;
	}

	/** `n8n import:credentials --input=…` (plain `data`; n8n encrypts it with the env's key). */
	async importCredentials(creds: CredentialImport[]): Promise<CliResult> {
		const file = this.writeInput('credentials', creds);
		try {
			const result = await this.cli(['import:credentials', `--input=${file}`]);
			const text = result.stdout + result.stderr;
			if (result.exitCode !== 0 || !/Successfully imported/i.test(text)) {
				throw new Error(`import:credentials failed (exit ${result.exitCode}):\n${text}`);
			}
			return result;
		} finally {
			fs.rmSync(file, { force: true });
		}
	}

	/** `n8n import:workflow --input=…`. Assigns an id (and node ids) when missing; returns the id. */
	async importWorkflow(workflow: WorkflowJson): Promise<string> {
		const id = workflow.id ?? n8nId();
		const full: WorkflowJson = {
			active: false,
			settings: { executionOrder: 'v1' },
			...workflow,
			id,
			nodes: workflow.nodes.map((node) => ({ id: node.id ?? randomUUID(), ...node })),
		};
		const file = this.writeInput('workflow', [full]);
		const result = await this.cli(['import:workflow', `--input=${file}`]);
		const text = result.stdout + result.stderr;
		if (result.exitCode !== 0 || !/Successfully imported/i.test(text)) {
			throw new Error(`import:workflow failed (exit ${result.exitCode}):\n${text}`);
		}
		return id;
	}

	/**
	 * `n8n execute --id=<id> --rawOutput`. Exit code 0 = success, 1 = the workflow failed.
	 * `output` is the run JSON (on failure n8n logs the run at info level, which is parsed too).
	 */
	async execute(workflowId: string, timeoutMs = 180_000): Promise<ExecuteResult> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], timeoutMs);
		return { ...result, output: parseRunOutput(result.stdout) ?? parseRunOutput(result.stderr) };
	}

	/** `n8n export:credentials --all --decrypted`: what is persisted, decrypted. */
	async exportCredentials(): Promise<ExportedCredential[]> {
		const dir = path.join(this.root, 'io');
		fs.mkdirSync(dir, { recursive: true });
		const file = path.join(dir, `export-${Date.now()}-${randomUUID()}.json`);
		try {
			const result = await this.cli(['export:credentials', '--all', '--decrypted', `--output=${file}`]);
			if (result.exitCode !== 0 || !fs.existsSync(file)) {
				throw new Error(`export:credentials failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
			}
			return JSON.parse(fs.readFileSync(file, 'utf8')) as ExportedCredential[];
		} finally {
			fs.rmSync(file, { force: true });
		}
	}

	/** Starts `n8n start` and waits for `GET /healthz/readiness` and `GET /rest/settings` (default 120 s). */
	async startServer(timeoutMs = 120_000): Promise<N8nServer> {
		const server = new N8nServer(this);
		this.servers.add(server);
		await server.start(timeoutMs);
		return server;
	}

	/**
	 * Starts a queue-mode worker (`n8n worker --concurrency=N`) with its own health and task-broker
	 * ports, and waits for its `GET /healthz` (default 120 s).
	 */
	async startWorker(opts: { concurrency?: number; timeoutMs?: number } = {}): Promise<N8nServer> {
		const healthPort = await distinctFreePort();
		const server = new N8nServer(this, {
			role: 'worker',
			args: [`--concurrency=${opts.concurrency ?? 10}`],
			healthPort,
			env: {
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_RUNNERS_BROKER_PORT: String(await distinctFreePort()),
			},
		});
		this.servers.add(server);
		await server.start(opts.timeoutMs ?? 120_000);
		return server;
	}

	/** Stops servers and removes the user folder (kept with N8N_E2E_KEEP=1, or when `opts.userFolder` was given). */
	async cleanup(): Promise<void> {
		for (const server of this.servers) await server.stop();
		this.servers.clear();
		if (!this.persistent) removeTempDir(this.root);
	}
}

// --------------------------------------------------------------------------------------------
// Server
// --------------------------------------------------------------------------------------------

export class HttpError extends Error {
	constructor(
		readonly method: string,
		readonly url: string,
		readonly status: number,
		readonly body: unknown,
	) {
		super(`${method} ${url} -> ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
		this.name = 'HttpError';
	}
}

/** What an n8n process is: the main one (`n8n start`), or a queue-mode worker. */
export interface N8nRole {
	role: 'main' | 'worker';
	args?: string[];
	env?: Record<string, string>;
	healthPort?: number;
}

export class N8nServer {
	readonly baseUrl: string;
	private child: ChildProcess | undefined;
	private logBuffer = '';
	private exited: Promise<void> | undefined;
	private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	owner: OwnerInfo | undefined;
	apiKey: string | undefined;
	/** Timings (ms) of the steps this server went through. */
	readonly timings: Record<string, number> = {};

	constructor(
		readonly env: N8nEnv,
		readonly role: N8nRole = { role: 'main' },
	) {
		this.baseUrl = `http://127.0.0.1:${env.port}`;
	}

	/** This server's stdout+stderr so far (ANSI stripped). */
	get logs(): string {
		return this.logBuffer;
	}

	get pid(): number | undefined {
		return this.child?.pid;
	}

	get running(): boolean {
		return this.child !== undefined && this.exitInfo === undefined;
	}

	async start(timeoutMs: number): Promise<void> {
		const started = Date.now();
		const { role } = this.role;
		const child = spawnGuarded(n8nRuntime(this.env.bin), [this.env.bin, role === 'worker' ? 'worker' : 'start', ...(this.role.args ?? [])], {
			cwd: this.env.root,
			env: { ...this.env.env, ...this.role.env },
		});
		this.child = child;
		const onData = (chunk: string): void => {
			const clean = stripAnsi(chunk);
			this.logBuffer += clean;
			this.env.appendLog(clean);
			this.env.onOutput?.(chunk);
			if (VERBOSE) process.stderr.write(chunk);
		};
		child.stdout?.setEncoding('utf8');
		child.stderr?.setEncoding('utf8');
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		this.exited = new Promise<void>((resolve) => {
			child.once('exit', (code, signal) => {
				this.exitInfo = { code, signal };
				resolve();
			});
		});
		const deadline = started + timeoutMs;
		while (Date.now() < deadline) {
			if (this.exitInfo !== undefined) {
				throw new Error(
					`n8n ${role === 'worker' ? 'worker' : 'start'} exited early (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}):\n${this.logBuffer.slice(-6000)}`,
				);
			}
			if (role === 'worker') {
				// A worker serves only its health endpoint; 200 once it listens to the queue.
				const health = await axios
					.get(`http://127.0.0.1:${this.role.healthPort}/healthz`, { timeout: 2000, validateStatus: () => true })
					.catch(() => undefined);
				if (health?.status === 200) {
					this.timings.startMs = Date.now() - started;
					return;
				}
				await sleep(250);
				continue;
			}
			try {
				// /healthz/readiness answers 200 (DB up) before the REST controllers are registered:
				// also wait for /rest/settings, which exists once `n8n start` has configured its routes.
				const ready = await axios.get(`${this.baseUrl}/healthz/readiness`, {
					timeout: 2000,
					validateStatus: () => true,
				});
				if (ready.status === 200) {
					const settings = await axios.get(`${this.baseUrl}/rest/settings`, {
						timeout: 2000,
						validateStatus: () => true,
					});
					if (settings.status === 200) {
						this.timings.startMs = Date.now() - started;
						return;
					}
				}
			} catch {
				// not listening yet
			}
			await sleep(250);
		}
		await this.stop();
		throw new Error(`n8n did not become ready within ${timeoutMs} ms:\n${this.logBuffer.slice(-6000)}`);
	}

	/** SIGTERM, wait (default 20 s), then SIGKILL. */
	async stop(timeoutMs = 20_000): Promise<void> {
		const child = this.child;
		if (child === undefined || this.exitInfo !== undefined) return;
		const started = Date.now();
		child.kill('SIGTERM');
		let timer: NodeJS.Timeout | undefined;
		const timedOut = await Promise.race([
			this.exited?.then(() => false),
			new Promise<boolean>((resolve) => {
				timer = setTimeout(() => resolve(true), timeoutMs);
			}),
		]);
		clearTimeout(timer);
		if (timedOut === true) {
			child.stdin?.end(); // watchdog SIGTERMs again, SIGKILLs n8n after 10 s
			await Promise.race([this.exited, sleep(12_000)]);
			child.kill('SIGKILL');
			await this.exited;
		}
		this.timings.stopMs = Date.now() - started;
	}

	// ---------------------------------------------------------------- raw HTTP

	/** An axios instance for this server that never throws on HTTP status. */
	http(headers: Record<string, string> = {}): AxiosInstance {
		return axios.create({
			baseURL: this.baseUrl,
			timeout: 60_000,
			headers,
			validateStatus: () => true,
			maxRedirects: 0,
		});
	}

	private async call<T>(
		kind: 'rest' | 'api',
		method: Method,
		url: string,
		data?: unknown,
		params?: Record<string, string | number | boolean>,
	): Promise<T> {
		const headers: Record<string, string> = {};
		if (kind === 'rest') {
			if (this.owner === undefined) throw new Error('call setupOwner() first');
			headers.cookie = this.owner.cookie;
		} else {
			if (this.apiKey === undefined) throw new Error('call createApiKey() first');
			headers['X-N8N-API-KEY'] = this.apiKey;
		}
		headers['content-type'] = 'application/json';
		const res: AxiosResponse<unknown> = await this.http(headers).request({ method, url, data, params });
		if (res.status < 200 || res.status >= 300) throw new HttpError(method, url, res.status, res.data);
		return res.data as T;
	}

	/** Internal REST API (`/rest/...`) as the owner (session cookie). Throws on non-2xx. */
	async rest<T>(method: Method, url: string, data?: unknown): Promise<T> {
		return await this.call<T>('rest', method, url, data);
	}

	/** Public API (`/api/v1/...`) with the API key. Throws on non-2xx. */
	async api<T>(
		method: Method,
		url: string,
		data?: unknown,
		params?: Record<string, string | number | boolean>,
	): Promise<T> {
		return await this.call<T>('api', method, url, data, params);
	}

	// ---------------------------------------------------------------- setup

	/** `POST /rest/owner/setup`; keeps the session cookie for `rest()`. */
	async setupOwner(
		owner: Partial<Omit<OwnerInfo, 'cookie'>> = {},
	): Promise<OwnerInfo> {
		const started = Date.now();
		const body = {
			email: owner.email ?? 'owner@e2e.test',
			firstName: owner.firstName ?? 'E2E',
			lastName: owner.lastName ?? 'Owner',
			password: owner.password ?? 'E2e-Passw0rd!',
		};
		const res = await this.http().post('/rest/owner/setup', body);
		if (res.status !== 200) throw new HttpError('POST', '/rest/owner/setup', res.status, res.data);
		const setCookie = res.headers['set-cookie'] ?? [];
		const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
		if (!cookie.includes('n8n-auth=')) throw new Error(`owner setup returned no n8n-auth cookie: ${setCookie.join(' | ')}`);
		this.owner = { ...body, cookie };
		this.timings.setupOwnerMs = Date.now() - started;
		return this.owner;
	}

	/** `GET /rest/api-keys/scopes` + `POST /rest/api-keys` with every scope; keeps the raw key. */
	async createApiKey(label = 'e2e'): Promise<string> {
		const started = Date.now();
		const scopes = await this.rest<{ data: string[] }>('GET', '/rest/api-keys/scopes');
		const created = await this.rest<{ data: { rawApiKey: string } }>('POST', '/rest/api-keys', {
			label,
			scopes: scopes.data,
			expiresAt: null,
		});
		this.apiKey = created.data.rawApiKey;
		this.timings.createApiKeyMs = Date.now() - started;
		return this.apiKey;
	}

	// ---------------------------------------------------------------- public API wrappers

	/**
	 * `POST /api/v1/credentials`. n8n 2.8.4 injects `allowedHttpRequestDomains` / `allowedDomains`
	 * into credential types that have `authenticate` (or extend OAuth) - but only into types already
	 * loaded at startup, i.e. community packages without `dist/known` (eagerly loaded), not the
	 * lazily loaded stock types. The public API validates `data` against the type's properties with
	 * `additionalProperties: false`, so: for such a community type `allowedHttpRequestDomains` is
	 * REQUIRED (else it demands `allowedDomains`), for a stock type it is REJECTED.
	 * `allowedHttpRequestDomains: 'auto'` (default) sends `data` as given and, on a 400 that names
	 * those fields, retries once with `"allowedHttpRequestDomains": "all"`.
	 * Note also that properties of `type: 'hidden'` map to JSON-schema type "hidden" there.
	 */
	async createCredential(
		cred: { name: string; type: string; data: Record<string, unknown> },
		opts: { allowedHttpRequestDomains?: 'auto' | 'all' | 'omit' } = {},
	): Promise<PublicCredential> {
		const mode = opts.allowedHttpRequestDomains ?? 'auto';
		const withAll = { ...cred, data: { allowedHttpRequestDomains: 'all', ...cred.data } };
		if (mode === 'all') return await this.api<PublicCredential>('POST', '/api/v1/credentials', withAll);
		try {
			return await this.api<PublicCredential>('POST', '/api/v1/credentials', cred);
		} catch (error) {
			const retry =
				mode === 'auto' &&
				error instanceof HttpError &&
				error.status === 400 &&
				/allowedDomains|allowedHttpRequestDomains/.test(JSON.stringify(error.body)) &&
				cred.data.allowedHttpRequestDomains === undefined;
			if (!retry) throw error;
			return await this.api<PublicCredential>('POST', '/api/v1/credentials', withAll);
		}
	}

	async deleteCredential(id: string): Promise<void> {
		await this.api<unknown>('DELETE', `/api/v1/credentials/${id}`);
	}

	/** `POST /api/v1/workflows` (only name, nodes, connections, settings are accepted). */
	async createWorkflow(workflow: WorkflowJson): Promise<PublicWorkflow> {
		return await this.api<PublicWorkflow>('POST', '/api/v1/workflows', {
			name: workflow.name,
			nodes: workflow.nodes.map((node) => ({ id: node.id ?? randomUUID(), ...node })),
			connections: workflow.connections,
			settings: workflow.settings ?? { executionOrder: 'v1' },
		});
	}

	async activateWorkflow(id: string): Promise<PublicWorkflow> {
		return await this.api<PublicWorkflow>('POST', `/api/v1/workflows/${id}/activate`, {});
	}

	async deactivateWorkflow(id: string): Promise<PublicWorkflow> {
		return await this.api<PublicWorkflow>('POST', `/api/v1/workflows/${id}/deactivate`, {});
	}

	async getWorkflow(id: string): Promise<PublicWorkflow> {
		return await this.api<PublicWorkflow>('GET', `/api/v1/workflows/${id}`);
	}

	async listExecutions(query: ListExecutionsQuery = {}): Promise<PublicExecution[]> {
		const params: Record<string, string | number | boolean> = {};
		if (query.workflowId !== undefined) params.workflowId = query.workflowId;
		if (query.status !== undefined) params.status = query.status;
		if (query.includeData !== undefined) params.includeData = query.includeData;
		params.limit = query.limit ?? 250;
		const res = await this.api<{ data: PublicExecution[]; nextCursor: string | null }>(
			'GET',
			'/api/v1/executions',
			undefined,
			params,
		);
		return res.data;
	}

	async getExecution(id: string | number, includeData = true): Promise<PublicExecution> {
		return await this.api<PublicExecution>('GET', `/api/v1/executions/${id}`, undefined, { includeData });
	}

	/** Polls `listExecutions` until `count` executions of the workflow are finished (not running). */
	async waitForExecutions(workflowId: string, count: number, timeoutMs = 60_000): Promise<PublicExecution[]> {
		const deadline = Date.now() + timeoutMs;
		let last: PublicExecution[] = [];
		while (Date.now() < deadline) {
			last = await this.listExecutions({ workflowId });
			const done = last.filter((e) => e.status !== 'running' && e.status !== 'new' && e.stoppedAt !== null);
			if (done.length >= count) return done;
			await sleep(250);
		}
		throw new Error(`expected ${count} finished executions of ${workflowId}, saw ${JSON.stringify(last.map((e) => e.status))}`);
	}

	// ---------------------------------------------------------------- types and webhooks

	/** The node/credential type descriptions the editor UI receives (`/types/*.json`, needs the owner cookie). */
	async getTypes(kind: 'credentials'): Promise<CredentialTypeDescription[]>;
	async getTypes(kind: 'nodes'): Promise<NodeTypeDescription[]>;
	async getTypes(kind: 'credentials' | 'nodes'): Promise<CredentialTypeDescription[] | NodeTypeDescription[]> {
		return await this.rest<CredentialTypeDescription[] | NodeTypeDescription[]>('GET', `/types/${kind}.json`);
	}

	webhookUrl(webhookPath: string): string {
		return `${this.baseUrl}/webhook/${webhookPath.replace(/^\//, '')}`;
	}

	/**
	 * Polls a production webhook until it stops answering 404 (a freshly activated webhook can take a
	 * second or two). Returns the first non-404 response.
	 */
	async waitForWebhook(
		webhookPath: string,
		opts: { method?: Method; data?: unknown; timeoutMs?: number } = {},
	): Promise<AxiosResponse<unknown>> {
		const started = Date.now();
		const deadline = started + (opts.timeoutMs ?? 30_000);
		let last: AxiosResponse<unknown> | undefined;
		while (Date.now() < deadline) {
			try {
				const res: AxiosResponse<unknown> = await this.http().request({
					method: opts.method ?? 'GET',
					url: this.webhookUrl(webhookPath),
					data: opts.data,
				});
				last = res;
				if (res.status !== 404) {
					this.timings.waitForWebhookMs = Date.now() - started;
					return res;
				}
			} catch {
				// connection hiccup: retry
			}
			await sleep(200);
		}
		throw new Error(`webhook ${webhookPath} still 404 after ${opts.timeoutMs ?? 30_000} ms: ${JSON.stringify(last?.data)}`);
	}

	/**
	 * `POST /rest/credentials/test` (the editor's "Test" button). Only for a SAVED credential (the
	 * controller answers 403 for an unknown id). n8n tests the `data` sent in the body (password
	 * fields may be the redacted placeholder, which it restores from the stored copy); without
	 * `data`, the stored data is fetched first (`GET /rest/credentials/:id?includeData=true`).
	 */
	async testCredential(credential: {
		id: string;
		name: string;
		type: string;
		data?: Record<string, unknown>;
	}): Promise<{ status: 'OK' | 'Error'; message: string }> {
		let data = credential.data;
		if (data === undefined) {
			const stored = await this.rest<{ data: { data?: Record<string, unknown> } }>(
				'GET',
				`/rest/credentials/${credential.id}?includeData=true`,
			);
			data = stored.data.data ?? {};
		}
		const res = await this.rest<{ data: { status: 'OK' | 'Error'; message: string } }>(
			'POST',
			'/rest/credentials/test',
			{ credentials: { ...credential, data } },
		);
		return res.data;
	}
}

/** Every occurrence of any of `secrets` in `text` (for "no secret in the logs" assertions). */
export function findSecrets(text: string, secrets: string[]): string[] {
	return secrets.filter((secret) => secret.length > 0 && text.includes(secret));
}
