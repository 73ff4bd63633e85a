/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
/**
 * Writes a tiny, plain-JS community package ("n8n-nodes-e2e-probe") used to prove the harness's
 * `installPackage` path independently of this repository's own build:
 * - credential `e2eProbeApi` with an async FUNCTION `authenticate` (adds `x-probe: <token>`),
 * - node `e2eProbe` that reports which files loaded the shared module `dist/shared/state.js`
 *   (one entry per file if n8n shares one module instance between credential and node).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PROBE_PACKAGE = 'n8n-nodes-e2e-probe';
export const PROBE_NODE_TYPE = `${PROBE_PACKAGE}.e2eProbe`;
export const PROBE_CREDENTIAL_TYPE = 'e2eProbeApi';

const files: Record<string, string> = {
	'package.json': JSON.stringify(
		{
			name: PROBE_PACKAGE,
			version: '0.0.1',
			description: 'e2e harness probe',
			license: 'MIT',
			keywords: ['n8n-community-node-package'],
			files: ['dist'],
			n8n: {
				n8nNodesApiVersion: 1,
				credentials: ['dist/credentials/E2eProbeApi.credentials.js'],
				nodes: ['dist/nodes/E2eProbe/E2eProbe.node.js'],
			},
			peerDependencies: { 'n8n-workflow': '*' },
		},
		null,
		2,
	),
	'dist/shared/state.js': `'use strict';
const state = { instanceId: Math.random().toString(36).slice(2), loadedBy: [] };
module.exports = { state };
`,
	'dist/credentials/E2eProbeApi.credentials.js': `'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { state } = require('../shared/state');
state.loadedBy.push('credential');
class E2eProbeApi {
	constructor() {
		this.name = 'e2eProbeApi';
		this.displayName = 'E2E Probe API';
		this.documentationUrl = 'https://example.invalid/e2e-probe';
		this.properties = [
			{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
		];
		this.authenticate = async (credentials, requestOptions) => ({
			...requestOptions,
			headers: { ...(requestOptions.headers || {}), 'x-probe': String(credentials.token) },
		});
		this.test = { request: { baseURL: 'http://127.0.0.1:9', url: '/' } };
	}
}
exports.E2eProbeApi = E2eProbeApi;
`,
	'dist/nodes/E2eProbe/E2eProbe.node.js': `'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { state } = require('../../shared/state');
state.loadedBy.push('node');
class E2eProbe {
	constructor() {
		this.description = {
			displayName: 'E2E Probe',
			name: 'e2eProbe',
			group: ['transform'],
			version: 1,
			description: 'Reports module-sharing facts',
			defaults: { name: 'E2E Probe' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'e2eProbeApi', required: false }],
			properties: [],
		};
	}
	async execute() {
		return [[{ json: { instanceId: state.instanceId, loadedBy: state.loadedBy.slice(), pid: process.pid } }]];
	}
}
exports.E2eProbe = E2eProbe;
`,
};

/** Writes the probe package into `dir` and returns `dir`. */
export function writeProbePackage(dir: string): string {
	for (const [rel, content] of Object.entries(files)) {
		const file = path.join(dir, rel);
		fs.mkdirSync(path.dirname(file), { recursive: true });
		fs.writeFileSync(file, content);
	}
	return dir;
}
