/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, no-console -- test and tool code runs in Node, not inside n8n: child processes and evaluated expressions, Node globals, Node's modules, plain errors, console output are its to use */
/**
 * `npm start`: the whole package, running, in one command.
 *
 * Builds this repository, starts the Fortinet emulator in this process and a local n8n (the version
 * pinned by scripts/install-n8n.sh) on 127.0.0.1 with the package installed as a user would
 * install it. The first start creates, in a persistent demo folder (`.demo/`), an owner account,
 * nine credentials (one per type, with the fixed ids the README's example uses) pointed at the
 * emulator and five demo workflows; later starts reinstall the freshly built package and keep everything else, so edits made in the editor
 * (e.g. real Fortinet credentials) survive restarts. Ctrl-C stops n8n and the emulator.
 *
 * Environment:
 *   FORTINET_DEMO_DIR              demo folder (default <repo>/.demo)
 *   N8N_PORT                       n8n port (default 5678)
 *   N8N_RUNNERS_BROKER_PORT        n8n task broker port (default N8N_PORT + 1)
 *   FORTINET_EMULATOR_PORT_BASE    emulator ports: control base, then one per emulated service (+1 … +13)
 *                                  (default 9400, or what the demo folder was set up with)
 *   FORTINET_DEMO_SCHEDULE_SECONDS the scheduled workflow runs every N seconds instead of every
 *                                  minute (read when the workflows are created, i.e. on first start)
 *   FORTINET_DEMO_QUIET=1          do not mirror n8n's and the emulator's log lines
 *   N8N_LOG_LEVEL                  n8n's log level (default info)
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import {
	ensureN8n,
	HttpError,
	installPackage,
	N8nEnv,
	n8nVersion,
	REPO_ROOT,
	type N8nServer,
	type PublicCredential,
	type PublicWorkflow,
	type WorkflowJson,
	type WorkflowNode,
} from '../test/e2e/n8n';
import {
	chain,
	httpJsonRpc,
	httpWithCredential,
	httpWithHeaderExpression,
	httpWithJsonBody,
	manualTrigger,
	scheduleEveryMinute,
	scheduleEverySeconds,
	tokenNode,
	webhookTrigger,
} from '../test/e2e/workflows';
import { DEMO_ACCOUNTS, startEmulator, type Emulator } from '../test/emulator';
import {
	DEMO_CREDENTIAL_IDS,
	DEMO_ENCRYPTION_KEY,
	DEMO_OWNER,
	EMULATOR_PORT_COUNT,
	emulatorPorts,
	STATE_FILE,
	WEBHOOK_PATH,
	WORKFLOW_NAMES,
	type CredentialRef,
	type CredentialType,
	type DemoState,
	type WorkflowKey,
} from './demo/settings';

// ------------------------------------------------------------------------------------------------
// Output
// ------------------------------------------------------------------------------------------------

const QUIET = process.env.FORTINET_DEMO_QUIET === '1';
const tty = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const bold = (s: string): string => (tty ? `\u001b[1m${s}\u001b[22m` : s);
const dim = (s: string): string => (tty ? `\u001b[2m${s}\u001b[22m` : s);

function step(message: string): void {
	console.log(`${bold('[demo]')} ${message}`);
}

class DemoError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DemoError';
	}
}

/** n8n start-up chatter a demo user has nothing to do with (first-start migrations, optional runners). */
const N8N_NOISE = [/migration/i, /^Added workflow:publish scope/, /MoveSshKeysToDatabase/, /Python task runner/, /^\[license SDK\]/];

/** Mirrors another program's output line by line with a prefix. */
function linePrinter(prefix: string, noise: RegExp[] = []): (chunk: string) => void {
	let pending = '';
	return (chunk: string) => {
		if (QUIET) return;
		pending += chunk;
		const lines = pending.split('\n');
		pending = lines.pop() ?? '';
		for (const line of lines) {
			if (line.trim() === '' || noise.some((re) => re.test(line))) continue;
			process.stdout.write(`${dim(prefix)} ${line}\n`);
		}
	};
}

// ------------------------------------------------------------------------------------------------
// Configuration
// ------------------------------------------------------------------------------------------------

function portFromEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new DemoError(`${name}=${raw} is not a port number (1-65535).`);
	}
	return port;
}

function readState(demoDir: string): DemoState | undefined {
	const file = path.join(demoDir, STATE_FILE);
	if (!fs.existsSync(file)) return undefined;
	try {
		const state = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoState;
		if (state.version !== 1 || typeof state.apiKey !== 'string') throw new Error('unknown format');
		return state;
	} catch (error) {
		throw new DemoError(
			`${file} is unreadable (${(error as Error).message}). Delete the demo folder to start over: rm -rf ${demoDir}`,
		);
	}
}

function writeState(demoDir: string, state: DemoState): void {
	const file = path.join(demoDir, STATE_FILE);
	fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Resolves when `port` can be bound on 127.0.0.1; otherwise a clear error naming the port. */
async function assertPortFree(port: number, what: string, howToChange: string): Promise<void> {
	const free = await new Promise<boolean>((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
	if (!free) {
		throw new DemoError(
			`Port ${port} (${what}) is already in use on 127.0.0.1. Stop whatever uses it (another \`npm start\`?) or ${howToChange}.`,
		);
	}
}

// ------------------------------------------------------------------------------------------------
// Credentials and workflows
// ------------------------------------------------------------------------------------------------

interface CredentialSpec {
	type: CredentialType;
	name: string;
	data: Record<string, unknown>;
}

function credentialSpecs(emu: Emulator): CredentialSpec[] {
	const iam = DEMO_ACCOUNTS.iam;
	return [
		{
			type: 'fortiSaseApi',
			name: 'FortiSASE (emulator)',
			data: { authMethod: 'apiUser', username: iam.username, password: iam.password, authUrl: emu.urls.iam, clientId: 'FortiSASE' },
		},
		{
			type: 'fortiLanCloudApi',
			name: 'FortiLAN Cloud (emulator)',
			data: { username: iam.username, password: iam.password, authUrl: emu.urls.iam, clientId: 'fortilancloud' },
		},
		{
			type: 'fortiCloudIamApi',
			name: 'FortiCloud IAM – FortiFlex (emulator)',
			data: { service: 'fortiFlex', username: iam.username, password: iam.password, authUrl: emu.urls.iam },
		},
		{
			type: 'fortiCasbApi',
			name: 'FortiCASB (emulator)',
			data: {
				authMethod: 'password',
				username: DEMO_ACCOUNTS.casb.username,
				password: DEMO_ACCOUNTS.casb.password,
				baseUrl: emu.urls.casb,
			},
		},
		{
			type: 'fortiCwpApi',
			name: 'FortiCWP (emulator)',
			data: { authMethod: 'apiCredential', apiSecret: DEMO_ACCOUNTS.cwp.apiCredential, baseUrl: emu.urls.cwp },
		},
		{
			// The emulator's self-signed certificate is new on every start, so a pinned CA would go
			// stale: this demo credential skips verification instead, and says so in its name. With a
			// real FortiAuthenticator, turn it off and paste the CA under "Trusted CA Certificate".
			type: 'fortiAuthenticatorApi',
			name: 'FortiAuthenticator (emulator, Ignore SSL Issues)',
			data: {
				baseUrl: emu.urls.fac,
				username: DEMO_ACCOUNTS.fac.username,
				password: DEMO_ACCOUNTS.fac.password,
				ignoreSSLIssues: true,
			},
		},
		{
			// Same self-signed certificate as FortiAuthenticator's, same reason for skipping it.
			type: 'fortiManagerApi',
			name: 'FortiManager (emulator, Ignore SSL Issues)',
			data: {
				baseUrl: emu.urls.fmg,
				authMethod: 'password',
				username: DEMO_ACCOUNTS.fmg.username,
				password: DEMO_ACCOUNTS.fmg.password,
				ignoreSSLIssues: true,
			},
		},
		{
			type: 'fortiManagerCloudApi',
			name: 'FortiManager Cloud (emulator)',
			data: { instanceUrl: emu.urls.fmgCloud, username: iam.username, password: iam.password, authUrl: emu.urls.iam },
		},
		{
			type: 'fortiAnalyzerCloudApi',
			name: 'FortiAnalyzer Cloud (emulator)',
			data: { instanceUrl: emu.urls.fazCloud, username: iam.username, password: iam.password, authUrl: emu.urls.iam },
		},
		{
			// An administrator session (the harder case); its self-signed certificate as FortiManager's.
			type: 'fortiOsApi',
			name: 'FortiGate (emulator, Ignore SSL Issues)',
			data: {
				baseUrl: emu.urls.fgt,
				authentication: 'session',
				username: DEMO_ACCOUNTS.fgt.username,
				password: DEMO_ACCOUNTS.fgt.password,
				ignoreSSLIssues: true,
			},
		},
		// The other appliances: administrator sessions, self-signed like the FortiGate.
		{
			type: 'fortiClientEmsApi',
			name: 'FortiClient EMS (emulator, Ignore SSL Issues)',
			data: { deployment: 'onPremises', baseUrl: emu.urls.ems, username: DEMO_ACCOUNTS.ems.username, password: DEMO_ACCOUNTS.ems.password, ignoreSSLIssues: true },
		},
		{
			type: 'fortiMailApi',
			name: 'FortiMail (emulator, Ignore SSL Issues)',
			data: { product: 'fortiMail', baseUrl: emu.urls.fml, username: DEMO_ACCOUNTS.fml.username, password: DEMO_ACCOUNTS.fml.password, ignoreSSLIssues: true },
		},
		{
			type: 'fortiSandboxApi',
			name: 'FortiSandbox (emulator, Ignore SSL Issues)',
			data: { authentication: 'password', baseUrl: emu.urls.fsa, username: DEMO_ACCOUNTS.fsa.username, password: DEMO_ACCOUNTS.fsa.password, ignoreSSLIssues: true },
		},
		{
			type: 'fortiAdcApi',
			name: 'FortiADC (emulator, Ignore SSL Issues)',
			data: { authentication: 'session', baseUrl: emu.urls.adc, username: DEMO_ACCOUNTS.adc.username, password: DEMO_ACCOUNTS.adc.password, ignoreSSLIssues: true },
		},
	];
}

function sticky(content: string, width = 560, height = 200): WorkflowNode {
	return {
		id: randomUUID(),
		name: 'About this demo',
		type: 'n8n-nodes-base.stickyNote',
		typeVersion: 1,
		position: [-20, 40],
		parameters: { content, width, height },
	};
}

/** Every minute, or every FORTINET_DEMO_SCHEDULE_SECONDS seconds (for tests). */
function scheduleTrigger(): WorkflowNode {
	const seconds = Number(process.env.FORTINET_DEMO_SCHEDULE_SECONDS ?? '');
	return Number.isInteger(seconds) && seconds > 0 ? scheduleEverySeconds(seconds) : scheduleEveryMinute();
}

function workflowSpecs(emu: Emulator, creds: Record<CredentialType, CredentialRef>): Record<WorkflowKey, WorkflowJson> {
	const iam = emu.urls.iam;
	return {
		schedule: chain(
			WORKFLOW_NAMES.schedule,
			[
				scheduleTrigger(),
				httpWithCredential('FortiLAN Cloud switches', creds.fortiLanCloudApi, 'GET', `${iam}/api/v1/switches`),
			],
			sticky(
				`## Scheduled FortiLAN Cloud inventory\nRuns every minute with the **FortiLAN Cloud** credential. FortiLAN Cloud allows 6 logins a minute: the credential logs in once and reuses the token for its whole lifetime, so the limit is never hit. Watch the logins: \`curl -s ${emu.urls.control}/stats\``,
			),
		),
		webhook: chain(
			WORKFLOW_NAMES.webhook,
			[
				webhookTrigger(WEBHOOK_PATH),
				httpWithCredential('FortiSASE endpoints', creds.fortiSaseApi, 'GET', `${iam}/resource-api/v2/endpoints`),
			],
			sticky(
				`## Webhook → FortiSASE endpoints\nCall \`GET /webhook/${WEBHOOK_PATH}\`: the response is FortiSASE's endpoint list. Every call reuses one token; n8n logs in again only when FortiSASE refuses it.`,
			),
		),
		// FortiFlex, not FortiLAN Cloud: the revoke at the end must not kill the token the scheduled
		// workflow lives on (that would cost it a login per run of this one).
		tokenNode: chain(
			WORKFLOW_NAMES.tokenNode,
			[
				manualTrigger('When clicking ‘Execute workflow’'),
				tokenNode('Get FortiFlex token', creds.fortiCloudIamApi, 'getToken'),
				httpWithHeaderExpression('List FortiFlex programs (own Authorization header)', `${iam}/ES/api/fortiflex/v2/programs/list`, 'POST'),
				tokenNode('Revoke the token', creds.fortiCloudIamApi, 'revokeToken'),
			],
			sticky(
				'## Fortinet Token node\n**Get Token** returns the cached FortiFlex token (logging in only when needed) with a ready `authorizationHeader`; any node can send it. **Revoke Token** revokes it at FortiCloud IAM and drops it from the cache, so the next use logs in again.',
				820,
			),
		),
		everyService: chain(
			WORKFLOW_NAMES.everyService,
			[
				manualTrigger('When clicking ‘Execute workflow’'),
				httpWithCredential('FortiSASE', creds.fortiSaseApi, 'GET', `${iam}/resource-api/v2/endpoints`),
				httpWithCredential('FortiLAN Cloud', creds.fortiLanCloudApi, 'GET', `${iam}/api/v1/switches`),
				httpWithCredential('FortiFlex (FortiCloud IAM)', creds.fortiCloudIamApi, 'POST', `${iam}/ES/api/fortiflex/v2/programs/list`),
				httpWithCredential('FortiCASB', creds.fortiCasbApi, 'GET', `${emu.urls.casb}/api/v1/resourceURLMap`),
				httpWithCredential('FortiCWP', creds.fortiCwpApi, 'GET', `${emu.urls.cwp}/api/v1/resourceURLMap`),
				httpWithCredential('FortiAuthenticator', creds.fortiAuthenticatorApi, 'GET', `${emu.urls.fac}/api/fabric/device/status`),
				httpWithCredential('FortiClient EMS endpoints', creds.fortiClientEmsApi, 'GET', `${emu.urls.ems}/api/v1/endpoints/index`),
				httpWithCredential('FortiMail domains', creds.fortiMailApi, 'GET', `${emu.urls.fml}/api/v1/Domain/`),
				httpWithCredential('FortiADC virtual servers', creds.fortiAdcApi, 'GET', `${emu.urls.adc}/api/load_balance_virtual_server`),
				httpJsonRpc('FortiSandbox status (get /sys/status)', creds.fortiSandboxApi, emu.urls.fsa),
			],
			sticky(
				'## Every service\nOne HTTP Request per credential type (Authentication: Predefined Credential Type). Each credential logs in on first use and reuses its token or session afterwards (the appliances: kept alive while used, logged out by the Token node\'s Revoke). To use a real tenant, edit the credential: URL, user and password.',
				820,
			),
		),
		fortiManager: chain(
			WORKFLOW_NAMES.fortiManager,
			[
				manualTrigger('When clicking ‘Execute workflow’'),
				httpJsonRpc('FortiManager devices (get /dvmdb/device)', creds.fortiManagerApi, emu.urls.fmg, '/dvmdb/device'),
				httpJsonRpc('FortiManager Cloud status (get /sys/status)', creds.fortiManagerCloudApi, emu.urls.fmgCloud),
				httpJsonRpc('FortiAnalyzer Cloud status (get /sys/status)', creds.fortiAnalyzerCloudApi, emu.urls.fazCloud),
				tokenNode('Get the FortiManager session', creds.fortiManagerApi, 'getToken'),
			],
			sticky(
				'## FortiManager JSON-RPC\nThe HTTP Request nodes POST plain JSON-RPC to `/jsonrpc` **without** a `session`: the credential adds it. One login per credential, reused by every execution and checked with `get /sys/session` before use when it was last confirmed over 30 s ago. **Get Token** shows the session and when it expires; **Revoke Token** logs it out.',
				820,
			),
		),
		fortiGate: chain(
			WORKFLOW_NAMES.fortiGate,
			[
				manualTrigger('When clicking ‘Execute workflow’'),
				httpWithCredential('FortiGate status', creds.fortiOsApi, 'GET', `${emu.urls.fgt}/api/v2/monitor/system/status`),
				httpWithJsonBody('Create an address object', creds.fortiOsApi, 'POST', `${emu.urls.fgt}/api/v2/cmdb/firewall/address`, FORTIGATE_ADDRESS),
				tokenNode('Get the FortiGate session', creds.fortiOsApi, 'getToken'),
			],
			sticky(
				'## FortiGate (FortiOS)\nThe credential logs in once (`POST /api/v2/authentication`), sends the session to the FortiGate only, adds the CSRF token to writes of a cookie session, keeps the session alive while it is used and logs in again when the FortiGate says it is gone. **Get Token** shows the session, its headers and its idle end; **Revoke Token** logs it out. With an API key, set Authentication to API Key: it is sent as a Bearer header, never in the URL.',
				820,
			),
		),
	};
}

/** A new address object per run (FortiOS answers 424 to a duplicate name). */
const FORTIGATE_ADDRESS = '={{ JSON.stringify({ name: "n8n-demo-" + $execution.id, subnet: "192.0.2.10 255.255.255.255", comment: "created by the n8n demo" }) }}';

const ACTIVE: WorkflowKey[] = ['schedule', 'webhook'];

async function listAll<T>(server: N8nServer, url: string): Promise<T[]> {
	const all: T[] = [];
	let cursor: string | undefined;
	do {
		const params: Record<string, string | number> = { limit: 250 };
		if (cursor !== undefined) params.cursor = cursor;
		const page = await server.api<{ data: T[]; nextCursor: string | null }>('GET', url, undefined, params);
		all.push(...page.data);
		cursor = page.nextCursor ?? undefined;
	} while (cursor !== undefined);
	return all;
}

/**
 * Creates whatever of the demo content is missing (matched by name), so an interrupted first start
 * completes on the next one and nothing is ever duplicated.
 */
async function ensureContent(server: N8nServer, emu: Emulator, state: DemoState, demoDir: string): Promise<void> {
	const existingCreds = await listAll<PublicCredential>(server, '/api/v1/credentials');
	const creds = {} as Record<CredentialType, CredentialRef>;
	for (const spec of credentialSpecs(emu)) {
		const found = existingCreds.find((c) => c.name === spec.name && c.type === spec.type);
		const created = found ?? (await server.createCredential({ name: spec.name, type: spec.type, data: spec.data }));
		if (!found) step(`created credential "${spec.name}"`);
		creds[spec.type] = { id: created.id, name: created.name, type: spec.type };
		state.credentials[spec.type] = creds[spec.type];
	}
	writeState(demoDir, state);

	const existingWorkflows = await listAll<PublicWorkflow>(server, '/api/v1/workflows');
	const specs = workflowSpecs(emu, creds);
	for (const key of Object.keys(specs) as WorkflowKey[]) {
		const spec = specs[key];
		let workflow = existingWorkflows.find((w) => w.name === spec.name);
		if (!workflow) {
			workflow = await server.createWorkflow(spec);
			step(`created workflow "${spec.name}"`);
		}
		if (ACTIVE.includes(key) && !workflow.active) await server.activateWorkflow(workflow.id);
		state.workflows[key] = { id: workflow.id, name: workflow.name };
		writeState(demoDir, state);
	}
	state.setupComplete = true;
	writeState(demoDir, state);
}

/** The hidden fields where n8n keeps a credential's token between executions. */
const TOKEN_FIELDS = ['sessionToken', 'refreshToken', 'expiresAt', 'tokenOwner'];

/**
 * The emulator forgets every token when it stops, but n8n keeps the last one in each credential:
 * on a later start the demo credentials that still point at the emulator drop their stored tokens,
 * so each logs in once on first use instead of first sending a dead token. Credentials edited to
 * point elsewhere (a real tenant) are left alone. Uses the owner's session (REST API), because the
 * public API cannot write hidden fields; skipped with a note if the demo password was changed.
 */
async function forgetEmulatorTokens(server: N8nServer, emu: Emulator, state: DemoState): Promise<void> {
	const login = await server.http({ 'content-type': 'application/json' }).post('/rest/login', {
		emailOrLdapLoginId: DEMO_OWNER.email,
		password: DEMO_OWNER.password,
	});
	const cookie = (login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
	if (login.status !== 200 || !cookie.includes('n8n-auth=')) {
		step('note: could not sign in as the demo owner (password changed?), so tokens stored for the old emulator stay; the first call of each credential will be refused once and log in again.');
		return;
	}
	server.owner = { ...DEMO_OWNER, cookie };
	const emulatorUrls = Object.values(emu.urls);
	let cleared = 0;
	for (const ref of Object.values(state.credentials)) {
		if (ref === undefined) continue;
		let stored: { name: string; type: string; data?: Record<string, unknown> };
		try {
			stored = (await server.rest<{ data: typeof stored }>('GET', `/rest/credentials/${ref.id}?includeData=true`)).data;
		} catch (error) {
			if (error instanceof HttpError && (error.status === 404 || error.status === 403)) continue; // deleted by the user
			throw error;
		}
		const data = stored.data ?? {};
		const url = String(data.authUrl ?? data.baseUrl ?? '');
		if (!emulatorUrls.some((u) => url.replace(/\/+$/, '') === u)) continue;
		if (!TOKEN_FIELDS.some((field) => typeof data[field] === 'string' && data[field] !== '')) continue;
		const next = { ...data };
		for (const field of TOKEN_FIELDS) if (field in next) next[field] = '';
		await server.rest('PATCH', `/rest/credentials/${ref.id}`, { name: stored.name, type: stored.type, data: next });
		cleared++;
	}
	if (cleared > 0) step(`cleared the tokens of ${cleared} demo credential(s) issued by the previous emulator run`);
}

/**
 * The demo's n8n (always the newest line) on an offline machine, without noise that is not the
 * user's: no call to api.n8n.io for MCP server listings (a stack trace per start when offline),
 * and the settings n8n's deprecation notice asks for set explicitly. WEBHOOK_URL, which the test
 * harness sets for the older n8n lines, gives way to N8N_WEBHOOK_URL (undefined drops it). The
 * notice for the internal task runner stays: an external one needs a separate launcher.
 */
const QUIET_N8N: Record<string, string | undefined> = {
	N8N_DISABLED_MODULES: 'mcp-registry',
	WEBHOOK_URL: undefined,
	N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
	N8N_RUNNERS_TASK_TIMEOUT: '300',
	N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES: String(256 * 1024 * 1024),
	N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '1000',
};

/**
 * Imports, before n8n starts, the demo credentials this folder does not have yet, with their fixed
 * ids (the public API cannot choose ids). A folder with a database but no demo state is left alone:
 * it is either foreign (reported once n8n runs) or an interrupted first start (completed by name).
 */
async function importMissingCredentials(env: N8nEnv, emu: Emulator, state: DemoState | undefined, demoDir: string): Promise<void> {
	if (state === undefined && fs.existsSync(path.join(demoDir, '.n8n', 'database.sqlite'))) return;
	const missing = credentialSpecs(emu).filter((spec) => state?.credentials[spec.type] === undefined);
	if (missing.length === 0) return;
	await env.importCredentials(missing.map((spec) => ({ id: DEMO_CREDENTIAL_IDS[spec.type], ...spec })));
	for (const spec of missing) step(`created credential "${spec.name}"`);
}

// ------------------------------------------------------------------------------------------------
// Main
// ------------------------------------------------------------------------------------------------

const cleanups: Array<() => Promise<void> | void> = [];
let shuttingDown = false;

/** Stops everything this script started (newest first), then exits. A second call is ignored. */
async function shutdown(code: number, reason?: string): Promise<void> {
	if (shuttingDown) return;
	shuttingDown = true;
	if (reason !== undefined) step(reason);
	for (const cleanup of cleanups.reverse()) {
		try {
			await cleanup();
		} catch (error) {
			console.error(`[demo] while stopping: ${(error as Error).message}`);
		}
	}
	if (code === 0) step('stopped.');
	process.exit(code);
}

function runBuild(): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		cleanups.push(() => {
			if (child.exitCode === null) child.kill('SIGTERM');
		});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.once('error', reject);
		child.once('exit', (code) => {
			if (code === 0) resolve();
			else reject(new DemoError(`npm run build failed (exit ${code}):\n${output.trim()}`));
		});
	});
}

/** The parent pid of `pid` (Linux /proc), or undefined where that cannot be read. */
function parentOf(pid: number): number | undefined {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const ppid = Number(fields[1]);
		return Number.isInteger(ppid) ? ppid : undefined;
	} catch {
		return undefined;
	}
}

/**
 * `npm start` runs `sh -c "tsx scripts/demo.ts"`, and tsx runs this file in a child process. A
 * SIGTERM sent to npm alone makes npm exit without passing it on, which would leave tsx, this
 * script, n8n and the emulator running. So when the launcher above tsx goes away (tsx is
 * re-parented), stop as if signalled.
 */
function watchLauncher(): void {
	const tsx = process.ppid;
	const launcher = parentOf(tsx);
	if (launcher === undefined || launcher <= 1) return;
	const timer = setInterval(() => {
		const now = parentOf(tsx);
		if (now !== launcher) {
			clearInterval(timer);
			void shutdown(0, 'the launching process exited: stopping n8n and the emulator…');
		}
	}, 1000);
	timer.unref();
	cleanups.push(() => clearInterval(timer));
}

async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
	const started = Date.now();
	step(`${label}…`);
	const result = await fn();
	step(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return result;
}

async function main(): Promise<void> {
	const started = Date.now();
	const onSignal = (signal: NodeJS.Signals): void => {
		void shutdown(0, `${signal}: stopping n8n and the emulator…`);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);
	watchLauncher();

	const demoDir = path.resolve(process.env.FORTINET_DEMO_DIR ?? path.join(REPO_ROOT, '.demo'));
	const port = portFromEnv('N8N_PORT', 5678);
	const brokerPort = portFromEnv('N8N_RUNNERS_BROKER_PORT', port + 1);
	let state = readState(demoDir);
	const envBase = process.env.FORTINET_EMULATOR_PORT_BASE;
	const portBase = portFromEnv('FORTINET_EMULATOR_PORT_BASE', state?.emulatorPortBase ?? 9400);
	if (portBase > 65536 - EMULATOR_PORT_COUNT) throw new DemoError(`FORTINET_EMULATOR_PORT_BASE must be at most ${65536 - EMULATOR_PORT_COUNT} (it uses ${EMULATOR_PORT_COUNT} ports).`);
	if (state !== undefined && state.emulatorPortBase !== portBase) {
		throw new DemoError(
			`${demoDir} was set up with the emulator on ports ${state.emulatorPortBase}-${state.emulatorPortBase + EMULATOR_PORT_COUNT - 1}, and its credentials and workflows point there, ` +
				`not at ${portBase}. Start without FORTINET_EMULATOR_PORT_BASE (or set it to ${state.emulatorPortBase}), or delete ${demoDir} to set it up again on other ports.`,
		);
	}

	// Fail fast, before the slow parts, on a port that is taken.
	const n8nHint = `pick another one, e.g. N8N_PORT=${port + 10} npm start`;
	await assertPortFree(port, 'n8n', n8nHint);
	await assertPortFree(brokerPort, 'n8n task broker', `pick another one, e.g. N8N_RUNNERS_BROKER_PORT=${brokerPort + 10} npm start`);
	const ports = emulatorPorts(portBase);
	const baseHint =
		state !== undefined
			? `delete ${demoDir} and start with another base, e.g. FORTINET_EMULATOR_PORT_BASE=${portBase + 100} npm start (this demo folder's credentials point at these ports)`
			: envBase === undefined
				? `move the emulator, e.g. FORTINET_EMULATOR_PORT_BASE=${portBase + 100} npm start (it uses ${EMULATOR_PORT_COUNT} ports from there)`
				: `pick another FORTINET_EMULATOR_PORT_BASE (it uses ${EMULATOR_PORT_COUNT} ports from there)`;
	for (const [name, p] of Object.entries(ports)) await assertPortFree(p, `Fortinet emulator, ${name}`, baseHint);

	await timed('building the package (npm run build)', () => runBuild());
	const bin = await timed('checking n8n (first run installs it into .cache/, a few minutes)', () => ensureN8n());
	if (shuttingDown) return;

	const emu = await timed(`starting the Fortinet emulator on ports ${portBase}-${portBase + EMULATOR_PORT_COUNT - 1}`, () =>
		startEmulator({ ports, log: !QUIET }),
	);
	cleanups.push(() => emu.close());
	if (shuttingDown) return;

	fs.mkdirSync(demoDir, { recursive: true });
	await timed(`installing the package into ${path.join(demoDir, '.n8n', 'nodes')}`, () => installPackage(demoDir));
	if (shuttingDown) return;

	const env = await N8nEnv.create({
		userFolder: demoDir,
		port,
		brokerPort,
		logLevel: process.env.N8N_LOG_LEVEL === 'debug' ? 'debug' : 'info',
		onOutput: linePrinter('n8n │', N8N_NOISE),
		env: {
			N8N_ENCRYPTION_KEY: DEMO_ENCRYPTION_KEY,
			...QUIET_N8N,
			N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			...(process.env.N8N_LOG_LEVEL ? { N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL } : {}),
		},
	});
	await importMissingCredentials(env, emu, state, demoDir);
	const server = await timed(`starting n8n ${n8nVersion(bin)} on http://127.0.0.1:${port}`, async () => {
		const pending = env.startServer(180_000);
		cleanups.push(() => env.cleanup());
		return await pending;
	});
	if (shuttingDown) return;

	const settings = await server.http().get<{ data?: { userManagement?: { showSetupOnFirstLoad?: boolean } } }>('/rest/settings');
	const needsOwner = settings.data.data?.userManagement?.showSetupOnFirstLoad === true;
	if (needsOwner) {
		await timed('first start: creating the owner, an API key, the credentials and the workflows', async () => {
			await server.setupOwner(DEMO_OWNER);
			const apiKey = await server.createApiKey('fortinet-demo');
			state = {
				version: 1,
				ownerEmail: DEMO_OWNER.email,
				apiKey,
				emulatorPortBase: portBase,
				credentials: {},
				workflows: {},
				setupComplete: false,
				createdAt: new Date().toISOString(),
			};
			writeState(demoDir, state);
			await ensureContent(server, emu, state, demoDir);
		});
	} else if (state === undefined) {
		throw new DemoError(
			`${demoDir} holds an n8n with an owner but no ${STATE_FILE}: it was not set up by this demo. Delete it (rm -rf ${demoDir}) or set FORTINET_DEMO_DIR to another folder.`,
		);
	} else {
		server.apiKey = state.apiKey;
		if (!state.setupComplete) {
			await timed('completing the interrupted first start', () => ensureContent(server, emu, state as DemoState, demoDir));
		}
		await forgetEmulatorTokens(server, emu, state);
	}
	const ready = state as DemoState;

	const base = server.baseUrl;
	const link = (key: WorkflowKey): string => {
		const wf = ready.workflows[key];
		return wf ? `${base}/workflow/${wf.id}` : '(missing)';
	};
	const lines = [
		'',
		bold('Fortinet demo is ready') + `  (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
		'',
		`  n8n        ${base}`,
		`  login      email: ${DEMO_OWNER.email}   password: ${DEMO_OWNER.password}`,
		'',
		'  workflows',
		`    ${WORKFLOW_NAMES.schedule} (active)`,
		`      ${link('schedule')}`,
		`    ${WORKFLOW_NAMES.webhook} (active)`,
		`      ${link('webhook')}`,
		`    ${WORKFLOW_NAMES.tokenNode}`,
		`      ${link('tokenNode')}`,
		`    ${WORKFLOW_NAMES.everyService}`,
		`      ${link('everyService')}`,
		`    ${WORKFLOW_NAMES.fortiManager}`,
		`      ${link('fortiManager')}`,
		`    ${WORKFLOW_NAMES.fortiGate}`,
		`      ${link('fortiGate')}`,
		'',
		`  webhook    ${server.webhookUrl(WEBHOOK_PATH)}`,
		`             curl -s ${server.webhookUrl(WEBHOOK_PATH)}`,
		'',
		'  emulator   (fake Fortinet services, in-memory, demo accounts only)',
		`    FortiCloud IAM (FortiSASE, FortiLAN Cloud, FortiFlex)  ${emu.urls.iam}`,
		`    FortiCASB                                               ${emu.urls.casb}`,
		`    FortiCWP                                                ${emu.urls.cwp}`,
		`    FortiAuthenticator (self-signed TLS)                    ${emu.urls.fac}`,
		`    FortiManager / FortiAnalyzer (self-signed TLS)          ${emu.urls.fmg}`,
		`    FortiManager Cloud / FortiAnalyzer Cloud instances      ${emu.urls.fmgCloud} ${emu.urls.fazCloud}`,
		`    FortiGate (self-signed TLS)                             ${emu.urls.fgt}`,
		`    control: logins and API calls per service              curl -s ${emu.urls.control}/stats`,
		'',
		`  data       ${demoDir} (kept between starts; delete it to start over)`,
		'  real Fortinet: edit the credential (its URL, user and password) and point the HTTP Request',
		'  URLs at your tenant\'s API. The FortiAuthenticator, FortiManager and FortiGate demo credentials have "Ignore SSL Issues" on',
		'  because the emulator\'s certificate changes on every start; for a real one, turn it off and',
		'  paste its CA under "Trusted CA Certificate".',
		'',
		bold('  Ctrl-C to stop.'),
		'',
	];
	console.log(lines.join('\n'));

	// n8n dying on its own (crash, killed) ends the demo too.
	const watch = setInterval(() => {
		if (!server.running && !shuttingDown) {
			clearInterval(watch);
			console.error('[demo] n8n stopped unexpectedly; its last lines are above.');
			void shutdown(1);
		}
	}, 1000);
	cleanups.push(() => clearInterval(watch));
}

main().catch((error: unknown) => {
	if (shuttingDown) return;
	let message: string;
	if (error instanceof DemoError) message = error.message;
	else if (error instanceof HttpError) message = `n8n answered ${error.status} to ${error.method} ${error.url}: ${JSON.stringify(error.body)}`;
	else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
		const e = error as NodeJS.ErrnoException & { port?: number };
		message = `Port ${e.port ?? '?'} is already in use on 127.0.0.1: ${e.message}`;
	} else message = error instanceof Error ? (error.stack ?? error.message) : String(error);
	console.error(`\n[demo] could not start: ${message}\n`);
	void shutdown(1);
});
