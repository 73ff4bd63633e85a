/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node globals, Node's modules are its to use */
/**
 * Memory of the token cache: real entries made by the engine's own `getToken` (the protocol's
 * request building, the response parser, identity hashing, single-flight bookkeeping), with the
 * HTTP exchange answered in-process by a stub of n8n's `httpRequest` so that 30,000 identities do
 * not also fill the emulator's own memory (it lives in the same heap). The stub answers with the
 * services' real shapes and sizes: FortiCloud IAM's 30-character opaque tokens, and FortiCASB's
 * JWT access token plus 171-character refresh token.
 */
import { randomBytes } from 'node:crypto';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import {
	configureEngine,
	fortiCasb,
	fortiSase,
	getToken,
	settings,
} from '../../credentials/engine';
import { clearTokenCache, tokenCacheSize } from '../../credentials/engine/testing';
import type { RequestHelpers, ServiceDescription } from '../../credentials/engine';

let collect: (() => void) | undefined;

/** global.gc when node runs with --expose-gc, else the same function obtained at runtime. */
export function gcFunction(): { gc: () => void; how: string } {
	const fromGlobal = (globalThis as { gc?: () => void }).gc;
	if (fromGlobal) return { gc: fromGlobal, how: '--expose-gc' };
	if (!collect) {
		v8.setFlagsFromString('--expose-gc');
		collect = vm.runInNewContext('gc') as () => void;
	}
	return { gc: collect, how: 'v8.setFlagsFromString("--expose-gc")' };
}

async function settleTimers(): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, 300));
}

function heapUsed(): number {
	const { gc } = gcFunction();
	gc();
	gc();
	return process.memoryUsage().heapUsed;
}

function opaque(): string {
	return randomBytes(23).toString('base64url').slice(0, 30);
}

function jwt(subject: string, exp: number): string {
	const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
	return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'fauth-server', aid: subject, exp })}.${randomBytes(32).toString('base64url')}`;
}

interface Shape {
	name: string;
	service: ServiceDescription;
	credentials(i: number): ICredentialDataDecryptedObject;
	body(username: string): string;
}

const HIDDEN = { sessionToken: '', refreshToken: '', expiresAt: '', tokenOwner: '' };

export const SHAPES: Shape[] = [
	{
		name: 'FortiCloud IAM (FortiSASE)',
		service: fortiSase,
		credentials: (i) => ({
			authMethod: 'apiUser',
			username: `API-USER-${String(i).padStart(6, '0')}-${opaque().slice(0, 8)}`,
			password: `pw-${opaque()}`,
			authUrl: 'https://customerapiauth.fortinet.com',
			clientId: 'FortiSASE',
			...HIDDEN,
		}),
		body: () =>
			JSON.stringify({
				access_token: opaque(),
				expires_in: 3600,
				token_type: 'Bearer',
				scope: 'read write',
				refresh_token: opaque(),
				message: 'successfully authenticated',
				status: 'success',
			}),
	},
	{
		name: 'FortiCASB (JWT)',
		service: fortiCasb,
		credentials: (i) => ({
			authMethod: 'password',
			username: `user-${i}-${opaque().slice(0, 6)}@example.com`,
			password: `pw-${opaque()}`,
			baseUrl: 'https://www.forticasb.com',
			...HIDDEN,
		}),
		body: (username) => {
			const expires = Date.now() + 3600_000;
			return `{"token_type":"bearer","expires":${expires},"access_token":${JSON.stringify(jwt(username, Math.floor(expires / 1000)))},"refresh_token":${JSON.stringify(randomBytes(128).toString('base64url'))}}`;
		},
	},
];

function stubHelpers(shape: Shape): RequestHelpers {
	return {
		httpRequest: async (options: IHttpRequestOptions) => {
			const sent = String(options.body ?? '');
			const username = /username=([^&]+)/.exec(sent)?.[1] ?? /"username":"([^"]+)"/.exec(sent)?.[1] ?? 'user';
			return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: shape.body(decodeURIComponent(username)) };
		},
	};
}

async function fill(shape: Shape, from: number, to: number, helpers: RequestHelpers): Promise<void> {
	const batch = 500;
	for (let start = from; start < to; start += batch) {
		const jobs: Array<Promise<unknown>> = [];
		for (let i = start; i < Math.min(to, start + batch); i++) {
			jobs.push(getToken(shape.service, shape.credentials(i), helpers));
		}
		await Promise.all(jobs);
	}
}

export interface MemoryResult {
	shape: string;
	identities: number;
	cacheSize: number;
	heapDeltaMB: number;
	bytesPerEntry: number;
	/** After inserting 3× the capacity: entries kept and heap growth relative to a full cache. */
	overfill?: { inserted: number; sizeAfter: number; heapAtCapacityMB: number; heapAfterMB: number; growth: number };
	gc: string;
}

export async function cacheMemory(identities: number): Promise<MemoryResult[]> {
	const previous = settings.cacheSize;
	const previousTimeout = settings.timeoutMs;
	const results: MemoryResult[] = [];
	try {
		for (const shape of SHAPES) {
			const helpers = stubHelpers(shape);
			// Each token call arms a deadline timer that lives for the timeout: short here, and waited
			// out before measuring, so the table shows the cache and not the calls' timers.
			configureEngine({ cacheSize: identities, timeoutMs: 200 });
			clearTokenCache();
			// Warm up the code paths so JIT and module state are not counted.
			await fill(shape, 0, 200, helpers);
			clearTokenCache();
			const before = heapUsed();
			await fill(shape, 0, identities, helpers);
			await settleTimers();
			const atCapacity = heapUsed();
			const sizeAtCapacity = tokenCacheSize();
			// Twice as many new identities again: the least recently used are evicted.
			await fill(shape, identities, 3 * identities, helpers);
			await settleTimers();
			const after = heapUsed();
			results.push({
				shape: shape.name,
				identities,
				cacheSize: sizeAtCapacity,
				heapDeltaMB: (atCapacity - before) / 2 ** 20,
				bytesPerEntry: (atCapacity - before) / identities,
				overfill: {
					inserted: 3 * identities,
					sizeAfter: tokenCacheSize(),
					heapAtCapacityMB: (atCapacity - before) / 2 ** 20,
					heapAfterMB: (after - before) / 2 ** 20,
					growth: (after - before) / (atCapacity - before),
				},
				gc: gcFunction().how,
			});
			clearTokenCache();
		}
	} finally {
		configureEngine({ cacheSize: previous, timeoutMs: previousTimeout });
		clearTokenCache();
	}
	return results;
}
