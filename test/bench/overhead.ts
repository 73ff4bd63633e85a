/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node globals, Node's modules are its to use */
/**
 * What the engine's `authenticate` (cache lookup, identity hash, header) costs per request,
 * compared with a static `Authorization` header, measured in the same process and interleaved so
 * that a noisy machine affects both sides alike.
 */
import * as http from 'node:http';

import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import {
	authenticate,
	fortiSase,
	preAuthenticate,
} from '../../credentials/engine';
import type { Emulator } from '../emulator';
import { gcFunction } from './memory';
import { n8nHelpers } from '../support/n8n';
import { caseOf } from '../support/services';

type Authorize = (request: IHttpRequestOptions) => Promise<IHttpRequestOptions>;

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A FortiSASE credential with a token already cached (one login against the emulator). */
export async function warmCredential(emulator: Emulator): Promise<ICredentialDataDecryptedObject> {
	const sase = caseOf('fortiSaseApi');
	const user = sase.newUser(emulator);
	const credentials: ICredentialDataDecryptedObject = {
		...sase.data(emulator, user),
		sessionToken: '',
		refreshToken: '',
		expiresAt: '',
		tokenOwner: '',
	};
	Object.assign(credentials, await preAuthenticate(fortiSase, credentials, n8nHelpers));
	return credentials;
}

function authorizers(credentials: ICredentialDataDecryptedObject): { ours: Authorize; oursFirst: Authorize; static: Authorize } {
	const header = `Bearer ${String(credentials.sessionToken)}`;
	return {
		ours: async (request) => await authenticate(fortiSase, credentials, request),
		// n8n loads a credential once per execution: its first request also parses and hashes the
		// identity (later requests of the same execution reuse that).
		oursFirst: async (request) => await authenticate(fortiSase, { ...credentials }, request),
		static: async (request) => {
			request.headers = { ...request.headers, Authorization: header };
			return request;
		},
	};
}

export interface HttpOverhead {
	client: string;
	rounds: number;
	requestsPerRound: number;
	staticUsPerRequest: number;
	oursUsPerRequest: number;
	medianRatio: number;
	minRatio: number;
	maxRatio: number;
}

type Send = (request: IHttpRequestOptions) => Promise<void>;

/** node:http with a keep-alive agent: the cheapest client, so any overhead shows. */
function rawSender(): { send: Send; close: () => void } {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	const send: Send = async (request) =>
		await new Promise<void>((resolve, reject) => {
			const req = http.request(
				String(request.url),
				{ method: request.method ?? 'GET', headers: request.headers as http.OutgoingHttpHeaders, agent },
				(res) => {
					res.resume();
					res.on('end', resolve);
					res.on('error', reject);
				},
			);
			req.on('error', reject);
			req.end();
		});
	return { send, close: () => agent.destroy() };
}

/** n8n-core's own httpRequest (axios underneath), as a node would send it. */
function n8nSender(): { send: Send; close: () => void } {
	return {
		send: async (request) => {
			await n8nHelpers.httpRequest(request);
		},
		close: () => undefined,
	};
}

async function loop(send: Send, authorize: Authorize, url: string, count: number): Promise<number> {
	const started = performance.now();
	for (let i = 0; i < count; i++) {
		const request = await authorize({ url, method: 'GET', headers: { Accept: 'application/json' } });
		await send(request);
	}
	return performance.now() - started;
}

/**
 * Rounds of static then ours (order alternating), the ratio taken per round, the median reported.
 * `url` is a protected resource on the credential's own host: the engine sends a token nowhere
 * else, and both sides pay the same server time.
 */
export async function httpOverhead(
	credentials: ICredentialDataDecryptedObject,
	url: string,
	options: { rounds: number; perRound: number },
): Promise<HttpOverhead[]> {
	const auth = authorizers(credentials);
	const results: HttpOverhead[] = [];
	for (const [client, make] of [
		['node:http keep-alive', rawSender],
		['n8n-core httpRequest', n8nSender],
	] as const) {
		const { send, close } = make();
		await loop(send, auth.static, url, 300); // warm-up both paths
		// Worst case: every request is the first of its execution (a fresh credentials object).
		await loop(send, auth.oursFirst, url, 300);
		const ratios: number[] = [];
		let staticMs = 0;
		let oursMs = 0;
		const { gc } = gcFunction();
		for (let round = 0; round < options.rounds; round++) {
			// A collection between rounds, so that neither side pays for the other's garbage.
			gc();
			let s: number;
			let o: number;
			if (round % 2 === 0) {
				s = await loop(send, auth.static, url, options.perRound);
				o = await loop(send, auth.oursFirst, url, options.perRound);
			} else {
				o = await loop(send, auth.oursFirst, url, options.perRound);
				s = await loop(send, auth.static, url, options.perRound);
			}
			ratios.push(o / s);
			staticMs += s;
			oursMs += o;
		}
		close();
		const n = options.rounds * options.perRound;
		results.push({
			client,
			rounds: options.rounds,
			requestsPerRound: options.perRound,
			staticUsPerRequest: (staticMs * 1000) / n,
			oursUsPerRequest: (oursMs * 1000) / n,
			medianRatio: median(ratios),
			minRatio: Math.min(...ratios),
			maxRatio: Math.max(...ratios),
		});
	}
	return results;
}

export interface InProcessTiming {
	name: string;
	calls: number;
	p50Us: number;
	p99Us: number;
	meanUs: number;
}

/** `authenticate(service, credentials, options)` alone vs a static header function, per call. */
export async function inProcessOverhead(credentials: ICredentialDataDecryptedObject, calls: number): Promise<InProcessTiming[]> {
	const auth = authorizers(credentials);
	const url = 'https://portal.prod.fortisase.com/resource-api/v2/endpoints';
	const samples: Record<'ours' | 'oursFirst' | 'static', number[]> = { ours: [], oursFirst: [], static: [] };
	const chunk = 1000;
	for (let warm = 0; warm < 5000; warm++) {
		await auth.ours({ url, method: 'GET' });
		await auth.oursFirst({ url, method: 'GET' });
		await auth.static({ url, method: 'GET' });
	}
	for (let done = 0; done < calls; done += chunk) {
		// Interleave chunks so both sides see the same machine noise.
		for (const name of done % (2 * chunk) === 0 ? (['static', 'ours', 'oursFirst'] as const) : (['oursFirst', 'ours', 'static'] as const)) {
			const fn = auth[name];
			const list = samples[name];
			for (let i = 0; i < chunk; i++) {
				const request: IHttpRequestOptions = { url, method: 'GET', headers: { Accept: 'application/json' } };
				const t0 = process.hrtime.bigint();
				await fn(request);
				list.push(Number(process.hrtime.bigint() - t0) / 1000);
			}
		}
	}
	const names = {
		static: 'static header function',
		ours: 'engine `authenticate`, cached token, later requests of an execution',
		oursFirst: 'engine `authenticate`, cached token, first request of an execution',
	};
	return (['static', 'ours', 'oursFirst'] as const).map((name) => {
		const sorted = [...samples[name]].sort((a, b) => a - b);
		return {
			name: names[name],
			calls: sorted.length,
			p50Us: percentile(sorted, 50),
			p99Us: percentile(sorted, 99),
			meanUs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
		};
	});
}
