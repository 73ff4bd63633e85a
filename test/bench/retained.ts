/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tool code runs in Node, not inside n8n: Node globals are its to use */
/**
 * What the cache keeps alive after executions end (issue "tokens that die out of sight", point 14).
 * In n8n the helpers a credential hook receives close over the execution: workflow, run data,
 * input items. Each simulated execution here hands the engine helpers that close over 8 MB of
 * "run data", then ends; after a full GC the heap is compared with before. The negative control
 * holds the same helpers strongly (what the engine did before), to show the measurement sees it.
 */
import { randomBytes } from 'node:crypto';

import { configureEngine, fortiSase, preAuthenticate, settings } from '../../credentials/engine';
import { clearTokenCache } from '../../credentials/engine/testing';
import type { RequestHelpers } from '../../credentials/engine';
import { gcFunction } from './memory';

export interface RetainedResult {
	holder: string;
	executions: number;
	runDataMB: number;
	retainedMB: number;
}

const RUN_DATA_BYTES = 8 * 2 ** 20;

function heapUsed(): number {
	const { gc } = gcFunction();
	gc();
	gc();
	return process.memoryUsage().heapUsed;
}

let serial = 0;

/** One execution: its helpers close over its run data, as n8n-core's do. */
function executionHelpers(): RequestHelpers {
	// Flat, distinct strings of 64 KB (a repeated string would be a small rope; Node keeps strings
	// over ~1 MB outside the V8 heap).
	const runData = { items: Array.from({ length: RUN_DATA_BYTES / 65_536 }, () => randomBytes(32_768).toString('hex')) };
	const answer = () => {
		serial++;
		return {
			statusCode: 200,
			headers: {},
			body: JSON.stringify({ access_token: `token-${serial}-abcdefghij`, refresh_token: `refresh-${serial}-abcdefghij`, expires_in: 3600, items: runData.items.length }),
		};
	};
	return {
		httpRequest: async () => answer(),
		request: async () => answer(),
	};
}

async function run(executions: number, strongly: RequestHelpers[] | undefined): Promise<void> {
	for (let i = 0; i < executions; i++) {
		const helpers = executionHelpers();
		strongly?.push(helpers);
		const credentials = {
			authMethod: 'apiUser',
			username: `API-RETAINED-${i}`,
			password: `pw-retained-${i}`,
			authUrl: 'https://customerapiauth.fortinet.com',
			clientId: 'FortiSASE',
			sessionToken: '',
		};
		await preAuthenticate(fortiSase, credentials, helpers);
	}
}

export async function retainedMemory(executions = 8): Promise<RetainedResult[]> {
	const previous = settings.cacheSize;
	const results: RetainedResult[] = [];
	try {
		configureEngine({ cacheSize: 10_000 });
		for (const holder of ['the engine (helpers held weakly)', 'control: the same helpers held strongly'] as const) {
			clearTokenCache();
			const strongly: RequestHelpers[] | undefined = holder.startsWith('control') ? [] : undefined;
			const before = heapUsed();
			await run(executions, strongly);
			// Let the current job end: objects a WeakRef was created for are kept until then.
			await new Promise((resolve) => setImmediate(resolve));
			const after = heapUsed();
			results.push({ holder, executions, runDataMB: (executions * RUN_DATA_BYTES) / 2 ** 20, retainedMB: (after - before) / 2 ** 20 });
			strongly?.splice(0);
		}
	} finally {
		configureEngine({ cacheSize: previous });
		clearTokenCache();
	}
	return results;
}
