/**
 * Shared by the fault-matrix and hygiene suites: a client-side count of every call to a token
 * endpoint (the emulator does not count faulted calls), what n8n would show of an error, and the
 * "never an empty Bearer" check over everything the emulator's protected APIs received.
 */
import { userCounters } from '../emulator';
import type { Counters, EmulatedService, Emulator, Fault } from '../emulator';
import { n8nHelpers } from '../support/n8n';
import type { ServiceCase, TestUser } from '../support/services';

export interface TokenCall {
	url: string;
	/** 'refresh' when the body asks for the refresh grant, 'revoke' for a revoke URL, 'check' for a liveness check, else 'login'. */
	grant: 'login' | 'refresh' | 'revoke' | 'check';
}

const original = { httpRequest: n8nHelpers.httpRequest, request: n8nHelpers.request };
export const tokenCalls: TokenCall[] = [];
/** Every access and refresh token a token endpoint handed out to the engine during the run. */
export const issuedTokens = new Set<string>();

/**
 * The engine reads token answers as streams (to bound them): the spy reads the stream itself and
 * hands the engine the text instead, which the engine accepts the same way.
 */
async function materialized(response: unknown): Promise<unknown> {
	const record = response as { body?: unknown } | undefined;
	const body = record?.body as { on?: unknown } | undefined;
	if (!record || !body || typeof body.on !== 'function') return response;
	const chunks: Buffer[] = [];
	for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
	return { ...record, body: Buffer.concat(chunks).toString('utf8') };
}

function remember(response: unknown): void {
	const body = (response as { body?: unknown } | undefined)?.body;
	let parsed: unknown = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body) as unknown;
		} catch {
			return;
		}
	}
	if (!parsed || typeof parsed !== 'object') return;
	for (const key of ['access_token', 'refresh_token']) {
		const value = (parsed as Record<string, unknown>)[key];
		if (typeof value === 'string' && value.length >= 6) issuedTokens.add(value);
	}
}

function classify(url: string, body: unknown): TokenCall {
	const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
	if (/revoke/.test(url)) return { url, grant: 'revoke' };
	if (/verify_token|resourceURLMap/.test(url)) return { url, grant: 'check' };
	return { url, grant: /grant_type\\?"?\s*[:=]\s*\\?"?refresh_token/.test(text) ? 'refresh' : 'login' };
}

/**
 * Every credential hook gets `n8nHelpers` (StoredCredential passes that object), and the resource
 * requests of an Execution do not go through it: wrapping its two functions counts exactly the
 * token-endpoint calls the engine makes.
 */
export function spyOnTokenCalls(): void {
	n8nHelpers.httpRequest = async (options) => {
		tokenCalls.push(classify(String(options.url), options.body));
		const response = await materialized(await original.httpRequest(options));
		remember(response);
		return response;
	};
	n8nHelpers.request = async (options) => {
		tokenCalls.push(classify(String(options.uri ?? options.url), options.body));
		const response = await materialized(await original.request(options));
		remember(response);
		return response;
	};
}

export function restoreTokenCalls(): void {
	n8nHelpers.httpRequest = original.httpRequest;
	n8nHelpers.request = original.request;
}

export function countCalls(grant?: TokenCall['grant']): number {
	return tokenCalls.filter((c) => grant === undefined || c.grant === grant).length;
}

export function countersOf(emulator: Emulator, service: ServiceCase, user: TestUser): Counters {
	return userCounters(emulator.control.stats(), service.emulated, service.userKey(user));
}

const BAD_BEARERS = new Set(['Bearer', 'Bearer ', 'Bearer undefined', 'Bearer null', 'Bearer [object Object]']);

/** Authorization values the emulator saw that are not a real Bearer token. */
const TOKEN = '[A-Za-z0-9._~+/=-]{10,}';
const COOKIES = '[^=;\\s]+=[^;\\s]+(; [^=;\\s]+=[^;\\s]+)*';
/**
 * What a request may carry: a Bearer token, an appliance's bare session id, its session cookies,
 * or both (FortiADC: `Bearer <token> | Cookie <cookies>`), as the emulators record them.
 */
const CARRIED = new RegExp(`^((Bearer )?${TOKEN}( \\| Cookie ${COOKIES})?|Cookie ${COOKIES})$`);

export function badAuthorizations(emulator: Emulator): string[] {
	const stats = emulator.control.stats();
	const bad: string[] = [];
	for (const service of Object.keys(stats) as EmulatedService[]) {
		for (const value of stats[service].authorizations) {
			if (BAD_BEARERS.has(value) || !CARRIED.test(value) || /undefined|null/.test(value)) bad.push(`${service}: ${JSON.stringify(value)}`);
		}
	}
	return bad;
}

/** Faults on a token endpoint that must end in an error, with the engine timeout set to TIMEOUT_MS. */
export const TIMEOUT_MS = 800;

export interface FailingFault {
	name: string;
	fault: Fault;
	message: (label: string) => RegExp;
	/** Longest acceptable wall time of the failing execution. */
	maxMs: number;
}

export const FAILING_TOKEN_FAULTS: FailingFault[] = [
	{ name: 'HTTP 500', fault: { type: 'status', status: 500 }, message: (l) => new RegExp(`${l} had an internal error during the login \\(HTTP 500\\)`), maxMs: 3000 },
	{ name: 'HTTP 503', fault: { type: 'status', status: 503 }, message: (l) => new RegExp(`${l} had an internal error during the login \\(HTTP 503\\)`), maxMs: 3000 },
	{
		name: '429 with a long Retry-After',
		fault: { type: 'rateLimit', retryAfter: 60 },
		message: (l) => new RegExp(`${l} is rate limiting logins \\(HTTP 429\\); it asks to wait 60 s`),
		maxMs: 3000,
	},
	{
		name: 'no answer within the engine timeout',
		fault: { type: 'delay', ms: 2500 },
		message: (l) => new RegExp(`${l} did not answer within 1 s`),
		maxMs: 2 * TIMEOUT_MS + 1500,
	},
	{ name: 'an HTML error page (502)', fault: { type: 'html' }, message: (l) => new RegExp(`${l} had an internal error during the login \\(HTTP 502\\) \\(an HTML page instead of JSON\\)`), maxMs: 3000 },
	{
		name: 'an HTML page with HTTP 200',
		fault: { type: 'html', status: 200 },
		message: (l) => new RegExp(`${l} answered the token request with an HTML page`),
		maxMs: 3000,
	},
	{ name: 'malformed JSON', fault: { type: 'malformedJson' }, message: (l) => new RegExp(`${l} answered the token request with a body that is not JSON`), maxMs: 3000 },
	{ name: 'a 200 without a token', fault: { type: 'noToken' }, message: (l) => new RegExp(`${l} answered the token request without an access token`), maxMs: 3000 },
	{
		name: 'a connection reset',
		fault: { type: 'reset' },
		message: (l) => new RegExp(`Could not reach ${l} at https?://127\\.0\\.0\\.1:\\d+ \\(connection closed by the server\\)`),
		maxMs: 3000,
	},
];
