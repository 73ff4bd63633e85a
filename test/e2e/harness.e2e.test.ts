/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console -- test and tool code runs in Node, not inside n8n: Node's modules, console output are its to use */
/**
 * Smoke test of the e2e harness itself, with stock n8n nodes plus a generated probe package
 * (independent of this repository's build). One n8n environment; the CLI steps run first, then
 * one `n8n start` for the server steps (never two n8n processes on the same database at once).
 */
import axios from 'axios';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

import {
	cleanupAll,
	ensureN8n,
	findSecrets,
	HttpError,
	makeTempDir,
	n8nVersion,
	nodeError,
	nodeItems,
	N8nEnv,
	N8nServer,
	type WorkflowJson,
} from './n8n';
import { PROBE_CREDENTIAL_TYPE, PROBE_NODE_TYPE, PROBE_PACKAGE, writeProbePackage } from './probe-package';

jest.setTimeout(180_000);

const timings: Record<string, number> = {};
async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
	const started = Date.now();
	try {
		return await fn();
	} finally {
		timings[label] = Date.now() - started;
	}
}

interface SeenRequest {
	path: string;
	headers: http.IncomingHttpHeaders;
}

const HEADER_SECRET = `hdr-secret-${randomUUID()}`;

describe('e2e harness (real n8n)', () => {
	let tiny: http.Server;
	let tinyUrl: string;
	const seen: SeenRequest[] = [];
	let env: N8nEnv;

	beforeAll(async () => {
		tiny = http.createServer((req, res) => {
			seen.push({ path: req.url ?? '', headers: req.headers });
			if (req.url?.startsWith('/fail')) {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: 'boom' }));
				return;
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ hello: 'world', path: req.url, n: seen.length }));
		});
		await new Promise<void>((resolve) => tiny.listen(0, '127.0.0.1', resolve));
		tinyUrl = `http://127.0.0.1:${(tiny.address() as AddressInfo).port}`;

		await timed('ensureN8n (install or reuse)', () => ensureN8n());
		const probeDir = writeProbePackage(path.join(makeTempDir('n8n-e2e-probe-src-'), 'pkg'));
		env = await timed('N8nEnv.create + installPackage (npm pack + npm install)', () =>
			N8nEnv.create({ installPackageFrom: probeDir, logLevel: 'debug' }),
		);
	}, 15 * 60_000);

	afterAll(async () => {
		await env?.cleanup();
		cleanupAll();
		tiny?.closeAllConnections();
		await new Promise<void>((resolve) => tiny?.close(() => resolve()));
		const rows = Object.entries(timings).map(([k, v]) => `  ${(v / 1000).toFixed(1).padStart(6)} s  ${k}`);
		console.log(`n8n ${n8nVersion()} e2e harness timings:\n${rows.join('\n')}`);
	});

	const manualToHttp = (url: string): WorkflowJson => ({
		name: `manual-http-${randomUUID().slice(0, 8)}`,
		nodes: [
			{
				name: 'Manual',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: { method: 'GET', url, options: {} },
			},
		],
		connections: { Manual: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
	});

	it('installs the probe package into <userFolder>/.n8n/nodes', () => {
		expect(env.installed?.name).toBe(PROBE_PACKAGE);
		expect(env.installed?.installedDir).toBe(
			path.join(env.userFolder, '.n8n', 'nodes', 'node_modules', PROBE_PACKAGE),
		);
	});

	it('imports and executes Manual Trigger -> HTTP Request with the CLI', async () => {
		const id = await timed('import:workflow', () => env.importWorkflow(manualToHttp(`${tinyUrl}/cli`)));
		const before = seen.length;
		const result = await timed('execute (success)', () => env.execute(id));
		expect(result.exitCode).toBe(0);
		expect(result.output).toBeDefined();
		const items = nodeItems(result.output, 'HTTP Request');
		expect(items).toEqual([expect.objectContaining({ hello: 'world', path: '/cli' })]);
		expect(seen.length - before).toBe(1);
		// community package picked up by the CLI process (debug log of PackageDirectoryLoader)
		expect(result.stdout + result.stderr).toContain(`Loaded all credentials and nodes from ${PROBE_PACKAGE}`);
	});

	it('reports a failed execution with exit code 1 and the run data', async () => {
		const id = await env.importWorkflow(manualToHttp(`${tinyUrl}/fail`));
		const result = await timed('execute (failure)', () => env.execute(id));
		expect(result.exitCode).toBe(1);
		expect(result.output?.data.resultData.error).toBeDefined();
		const error = nodeError(result.output, 'HTTP Request');
		expect(error?.httpCode).toBe('500');
		expect(error?.message).toBe('The service was not able to process your request');
	});

	it('runs a node of the installed community package (one module instance for credential and node)', async () => {
		const id = await env.importWorkflow({
			name: 'probe',
			nodes: [
				{ name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ name: 'Probe', type: PROBE_NODE_TYPE, typeVersion: 1, position: [220, 0], parameters: {} },
			],
			connections: { Manual: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] } },
		});
		const result = await timed('execute (probe node)', () => env.execute(id));
		expect(result.exitCode).toBe(0);
		const [item] = nodeItems(result.output, 'Probe');
		expect(item?.loadedBy).toEqual(expect.arrayContaining(['node', 'credential']));
	});

	it('imports credentials and exports them decrypted', async () => {
		const id = 'e2eHdrCred000001';
		await timed('import:credentials', () =>
			env.importCredentials([
				{ id, name: 'hdr', type: 'httpHeaderAuth', data: { name: 'x-api-key', value: HEADER_SECRET } },
			]),
		);
		const exported = await timed('export:credentials', () => env.exportCredentials());
		const cred = exported.find((c) => c.id === id);
		expect(cred?.type).toBe('httpHeaderAuth');
		expect(cred?.data).toEqual(expect.objectContaining({ name: 'x-api-key', value: HEADER_SECRET }));
	});

	describe('server', () => {
		let server: N8nServer;

		beforeAll(async () => {
			server = await timed('startServer (until /healthz/readiness)', () => env.startServer());
			await timed('setupOwner', () => server.setupOwner());
			await timed('createApiKey', () => server.createApiKey());
		}, 5 * 60_000);

		afterAll(async () => {
			await timed('server.stop (SIGTERM)', () => server?.stop());
		});

		it('serves the community package types; a function `authenticate` is sent as {}', async () => {
			const creds = await server.getTypes('credentials');
			const probe = creds.find((c) => c.name === PROBE_CREDENTIAL_TYPE);
			expect(probe).toBeDefined();
			expect(probe?.authenticate).toEqual({});
			const aws = creds.find((c) => c.name === 'aws');
			expect(aws?.authenticate).toEqual({});
			const nodes = await server.getTypes('nodes');
			expect(nodes.some((n) => n.name === PROBE_NODE_TYPE)).toBe(true);
		});

		it('creates credentials via the public API (allowedHttpRequestDomains only where n8n injected it)', async () => {
			const probe = await server.createCredential({ name: 'probe', type: PROBE_CREDENTIAL_TYPE, data: { token: 't' } });
			expect(probe.id).toBeTruthy();
			// The quirks below are n8n 2.8's (other versions accept the field, or not, as they please).
			if (!n8nVersion().startsWith('2.8.')) return;
			// eagerly loaded community type with `authenticate`: the field is required
			const bare = server.createCredential(
				{ name: 'probe-bare', type: PROBE_CREDENTIAL_TYPE, data: { token: 't' } },
				{ allowedHttpRequestDomains: 'omit' },
			);
			await expect(bare).rejects.toMatchObject({ name: 'HttpError', status: 400 });
			// lazily loaded stock type: the field is rejected
			const stock = server.createCredential(
				{ name: 'hdr-all', type: 'httpHeaderAuth', data: { name: 'x', value: 'y' } },
				{ allowedHttpRequestDomains: 'all' },
			);
			await expect(stock).rejects.toBeInstanceOf(HttpError);
		});

		it('runs an activated Webhook -> HTTP Request workflow for 5 concurrent calls', async () => {
			const cred = await timed('api: create credential', () =>
				server.createCredential({
					name: 'hdr-api',
					type: 'httpHeaderAuth',
					data: { name: 'x-api-key', value: HEADER_SECRET },
				}),
			);
			const hookPath = `e2e-${randomUUID()}`;
			const workflow = await timed('api: create workflow', () =>
				server.createWorkflow({
					name: 'webhook-http',
					nodes: [
						{
							name: 'Webhook',
							type: 'n8n-nodes-base.webhook',
							typeVersion: 2,
							position: [0, 0],
							webhookId: randomUUID(),
							parameters: { httpMethod: 'GET', path: hookPath, responseMode: 'lastNode', options: {} },
						},
						{
							name: 'HTTP Request',
							type: 'n8n-nodes-base.httpRequest',
							typeVersion: 4.2,
							position: [220, 0],
							parameters: {
								method: 'GET',
								url: `${tinyUrl}/hook`,
								authentication: 'genericCredentialType',
								genericAuthType: 'httpHeaderAuth',
								options: {},
							},
							credentials: { httpHeaderAuth: { id: cred.id, name: cred.name } },
						},
					],
					connections: { Webhook: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
				}),
			);
			const activated = await timed('api: activate workflow', () => server.activateWorkflow(workflow.id));
			expect(activated.active).toBe(true);

			const first = await timed('waitForWebhook (first 200)', () => server.waitForWebhook(hookPath));
			expect(first.status).toBe(200);

			const before = seen.filter((r) => r.path === '/hook').length;
			const responses = await timed('5 concurrent webhook calls', () =>
				Promise.all(
					Array.from({ length: 5 }, () =>
						axios.get<{ hello?: string }>(server.webhookUrl(hookPath), { timeout: 60_000, validateStatus: () => true }),
					),
				),
			);
			expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
			for (const r of responses) expect(r.data).toEqual(expect.objectContaining({ hello: 'world', path: '/hook' }));
			const hookRequests = seen.filter((r) => r.path === '/hook');
			expect(hookRequests.length - before).toBe(5);
			for (const r of hookRequests) expect(r.headers['x-api-key']).toBe(HEADER_SECRET);

			const executions = await timed('api: wait for 6 executions', () => server.waitForExecutions(workflow.id, 6));
			expect(executions.every((e) => e.status === 'success')).toBe(true);
			const withData = await server.getExecution(executions[0]!.id, true);
			expect(withData.data?.resultData.runData['HTTP Request']).toBeDefined();
		});

		it('collects logs that can be scanned for secrets', () => {
			expect(server.logs).toContain('Editor is now accessible');
			expect(findSecrets(env.logs, [HEADER_SECRET])).toEqual([]);
		});
	});
});
