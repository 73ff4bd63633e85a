/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: child processes and evaluated expressions, Node's modules are its to use */
/**
 * PostgreSQL and Redis for queue mode, started on loopback in temporary folders by the test itself
 * (scripts/install-services.sh installs Debian's packages when missing) and stopped with it.
 */
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, makeTempDir, REPO_ROOT, sleep, spawnGuarded } from './n8n';

export interface LoopbackService {
	port: number;
	/** What the server printed (for a failing test's message). */
	logs(): string;
	stop(): Promise<void>;
}

let folders: { postgres: string; redis: string } | undefined;

/** Runs scripts/install-services.sh once per test process. */
function binFolders(): { postgres: string; redis: string } {
	if (folders) return folders;
	const result = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-services.sh')], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`scripts/install-services.sh failed:\n${result.stdout}\n${result.stderr}`);
	const folder = (name: string): string => {
		const line = result.stdout.split('\n').find((candidate) => candidate.startsWith(`${name}=`));
		if (!line) throw new Error(`scripts/install-services.sh printed no ${name} folder:\n${result.stdout}`);
		return line.slice(name.length + 1);
	};
	folders = { postgres: folder('postgres'), redis: folder('redis') };
	return folders;
}

/** `stopSignal`: PostgreSQL's fast shutdown is SIGINT (SIGTERM waits for every client to leave). */
function watch(child: ChildProcess, port: number, stopSignal: NodeJS.Signals = 'SIGTERM'): LoopbackService {
	let output = '';
	child.stdout?.setEncoding('utf8');
	child.stderr?.setEncoding('utf8');
	child.stdout?.on('data', (chunk: string) => (output += chunk));
	child.stderr?.on('data', (chunk: string) => (output += chunk));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	return {
		port,
		logs: () => output,
		stop: async () => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill(stopSignal);
			await Promise.race([exited, sleep(15_000)]);
			if (child.exitCode === null && child.signalCode === null) {
				child.kill('SIGKILL');
				await exited;
			}
		},
	};
}

async function waitUntil(what: string, service: LoopbackService, ready: () => boolean, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (ready()) return;
		await sleep(200);
	}
	await service.stop();
	throw new Error(`${what} did not become ready within ${timeoutMs} ms:\n${service.logs().slice(-4000)}`);
}

/**
 * PostgreSQL in a new cluster (trust auth, loopback only, no fsync: test data), with a database
 * `n8n`. As root, the server runs as the `postgres` user (PostgreSQL refuses root).
 */
export async function startPostgres(): Promise<LoopbackService> {
	const bin = binFolders().postgres;
	const root = makeTempDir('n8n-pg-');
	const data = path.join(root, 'data');
	const asRoot = os.userInfo().uid === 0;
	const runAs = (command: string, args: string[]): string[] =>
		asRoot ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args] : [command, ...args];
	if (asRoot) fs.chmodSync(root, 0o777);
	const [initdb, ...initArgs] = runAs(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
	const init = spawnSync(initdb, initArgs, { encoding: 'utf8' });
	if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
	const port = await freePort();
	const [command, ...args] = runAs(path.join(bin, 'postgres'), [
		'-D', data, '-p', String(port), '-k', root,
		'-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
		'-c', 'max_connections=200',
	]);
	const service = watch(spawnGuarded(command, args, { cwd: root }), port, 'SIGINT');
	const isReady = (): boolean =>
		spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { encoding: 'utf8' }).status === 0;
	await waitUntil('PostgreSQL', service, isReady);
	const created = spawnSync(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'n8n'], { encoding: 'utf8' });
	if (created.status !== 0) {
		await service.stop();
		throw new Error(`createdb failed:\n${created.stderr}`);
	}
	return service;
}

/** Redis on loopback, in memory only. */
export async function startRedis(): Promise<LoopbackService> {
	const bin = binFolders().redis;
	const root = makeTempDir('n8n-redis-');
	const port = await freePort();
	const child = spawnGuarded(path.join(bin, 'redis-server'), [
		'--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', root, '--protected-mode', 'yes',
	], { cwd: root });
	const service = watch(child, port);
	await waitUntil('Redis', service, () => /Ready to accept connections/.test(service.logs()));
	return service;
}

/** The environment every process of one queue-mode n8n shares. */
export function queueModeEnv(postgres: LoopbackService, redis: LoopbackService): Record<string, string> {
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: '',
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
	};
}
