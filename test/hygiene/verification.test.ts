/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: child processes and evaluated expressions, Node globals, Node's modules are its to use */
/**
 * What n8n checks before it verifies a community package, run here as n8n runs it: the scanner's
 * lint (@n8n/scan-community-package `analyzePackage`, inline ESLint configuration ignored) on the
 * source and on the unpacked `npm pack` tarball; the tarball's contents; Cloud support (strict
 * mode with node-cli's ESLint config unmodified); and the publish workflow (GitHub Actions, npm
 * provenance), which cannot run here and is read instead.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

import { parse } from 'yaml';

const repo = resolve(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
	name: string;
	author?: { email?: string };
	license: string;
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	scripts: Record<string, string>;
	n8n: { strict: boolean; n8nNodesApiVersion: number; credentials: string[]; nodes: string[] };
};

// Jest sets NODE_ENV=test, which switches eslint-plugin-n8n-nodes-base into a fixture mode.
const env = { ...process.env, NODE_ENV: 'production' };

function scan(dir: string, mode: 'source' | 'tarball'): { passed: boolean; message?: string; details?: string } {
	const run = spawnSync(process.execPath, [join(repo, 'test/support/scan.mjs'), dir, mode], { cwd: repo, encoding: 'utf8', env });
	const last = run.stdout.trim().split('\n').pop() ?? '{}';
	return JSON.parse(last) as { passed: boolean; message?: string; details?: string };
}

function sh(command: string, args: string[], cwd = repo): string {
	const run = spawnSync(command, args, { cwd, encoding: 'utf8', env });
	if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
	return run.stdout;
}

function filesUnder(root: string, dir = root): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? filesUnder(root, path) : [relative(root, path)];
	});
}

/** The scanner's verdict on a folder: passed, with nothing to report. */
function expectScanPasses(root: string, mode: 'source' | 'tarball'): void {
	const result = scan(root, mode);
	expect(result.details ?? '').toBe('');
	expect(result.passed).toBe(true);
}

test('the scanner\'s lint passes on the sources (inline configuration ignored)', () => {
	expectScanPasses(repo, 'source');
}, 120_000);

describe('the packed tarball', () => {
	let unpacked = '';
	let out = '';

	beforeAll(() => {
		out = mkdtempSync(join(tmpdir(), 'fortinet-pack-'));
		sh('npm', ['run', 'build']);
		sh('npm', ['pack', '--pack-destination', out]);
		const tarball = readdirSync(out).find((name) => name.endsWith('.tgz'));
		if (!tarball) throw new Error('npm pack made no tarball');
		sh('tar', ['-xzf', join(out, tarball), '-C', out]);
		unpacked = join(out, 'package');
	}, 240_000);
	afterAll(() => rmSync(out, { recursive: true, force: true }));

	test('passes the scanner\'s lint', () => {
		expectScanPasses(unpacked, 'tarball');
	}, 120_000);

	test('holds only dist, index.js, README, CHANGELOG, LICENSE and package.json, and every declared file', () => {
		const files = filesUnder(unpacked);
		const outside = files.filter((file) => !file.startsWith('dist/'));
		expect(outside.sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'index.js', 'package.json']);
		expect(files.some((file) => /(^|\/)test\//.test(file) || file.includes('emulator'))).toBe(false);
		for (const declared of [...packageJson.n8n.credentials, ...packageJson.n8n.nodes]) expect(files).toContain(declared);
		expect(files).toContain('dist/nodes/FortinetToken/FortinetToken.node.json');
		expect(files).toContain('dist/credentials/icons/fortinet.svg');
	});
});

test('Cloud support: strict mode with node-cli\'s ESLint config, unmodified; no runtime dependencies', () => {
	expect(packageJson.n8n).toMatchObject({ strict: true, n8nNodesApiVersion: 1 });
	const template = readFileSync(join(repo, 'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs'), 'utf8');
	expect(readFileSync(join(repo, 'eslint.config.mjs'), 'utf8').replace(/\s+/g, '')).toBe(template.replace(/\s+/g, ''));
	expect(packageJson.dependencies ?? {}).toEqual({});
	expect(packageJson.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(packageJson.license).toBe('MIT');
	expect(packageJson.author?.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
	expect(packageJson.scripts).toMatchObject({
		// What a contributor or n8n's reviewer types, with nothing around it: the whole tree passes it.
		lint: 'n8n-node lint',
		'lint:fix': 'n8n-node lint --fix',
		release: 'n8n-node release',
		prepublishOnly: 'n8n-node prerelease',
		build: expect.stringMatching(/^n8n-node build/),
	});
	expect(readFileSync(join(repo, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
});

test('the publish workflow releases on a version tag from GitHub Actions with an npm provenance statement', () => {
	const workflow = parse(readFileSync(join(repo, '.github/workflows/publish.yml'), 'utf8')) as {
		on: { push: { tags: string[] } };
		jobs: Record<string, { needs?: string; permissions: Record<string, string>; steps: Array<{ run?: string; uses?: string }> }>;
	};
	expect(workflow.on.push.tags).toEqual(['*.*.*']);
	const { publish: job, attach } = workflow.jobs;
	// id-token: write is what lets npm sign the provenance statement; the job that runs npm install
	// cannot write to the repository.
	expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
	const runs = job.steps.map((step) => step.run ?? '').join('\n');
	expect(runs).toMatch(/npm (ci|install)/);
	// In GitHub Actions, `n8n-node release` lints, builds and publishes with NPM_CONFIG_PROVENANCE=true.
	expect(runs).toMatch(/npm run release/);
	// The release carries the package as a tarball, the README's install without npm: packed here,
	// attached by a job that may write to the repository and installs and runs nothing of npm's.
	expect(runs).toMatch(/npm pack/);
	expect(attach.needs).toBe('publish');
	expect(attach.permissions).toEqual({ contents: 'write' });
	const attachRuns = attach.steps.map((step) => step.run ?? '').join('\n');
	expect(attachRuns).toMatch(/gh release upload "\$GITHUB_REF_NAME" n8n-nodes-fortinet-token-\*\.tgz/);
	expect(attachRuns).not.toMatch(/npm /);
	const release = readFileSync(join(repo, 'node_modules/@n8n/node-cli/dist/commands/release.js'), 'utf8');
	expect(release).toMatch(/NPM_CONFIG_PROVENANCE/);
	expect(job.steps.some((step) => step.uses?.startsWith('actions/checkout'))).toBe(true);
});
