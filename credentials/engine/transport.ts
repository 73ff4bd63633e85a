import { sleep } from 'n8n-workflow';
import type { IHttpRequestOptions } from 'n8n-workflow';

import { FortinetTokenError, tokenError, isTokenError, redact, settle } from './errors';
import { tokenHostNotAllowed } from './fields';
import { settings } from './settings';
import type { AuthCall, AuthRequest, AuthResponse, RequestHelpers, TlsSettings } from './types';

interface FullResponse {
	statusCode?: number;
	headers?: Record<string, string | string[] | undefined>;
	body?: unknown;
}

/** A response body as n8n hands it over with `encoding: 'stream'` / `useStream`. */
interface BodyStream {
	on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
	on(event: 'end' | 'close', listener: () => void): unknown;
	on(event: 'error', listener: (error: Error) => void): unknown;
	destroy(error?: Error): unknown;
}

const NETWORK_REASONS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection closed by the server',
	EPIPE: 'connection closed by the server',
	ENOTFOUND: 'host name not found',
	EAI_AGAIN: 'host name lookup failed',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
};

function parseBody(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

function encodeForm(fields: Record<string, unknown>): string {
	return new URLSearchParams(Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)])).toString();
}

function deadlineError(label: string, url: string): FortinetTokenError {
	return tokenError(
		'network',
		`${label} did not answer within ${Math.round(settings.timeoutMs / 1000)} s at ${new URL(url).origin}. Check the URL and that n8n can reach it.`,
	);
}

function tooLarge(label: string): FortinetTokenError {
	return tokenError(
		'badResponse',
		`${label} answered the token request with more than ${Math.round(settings.maxResponseBytes / 1024)} KB: that is not a token answer. Check the URL points at the ${label} API.`,
	);
}

/** Network failures carry a code (ECONNRESET, ECONNABORTED…); keep only that, never the request. */
function networkError(error: unknown, label: string, url: string): FortinetTokenError {
	const record = (error ?? {}) as { code?: unknown; message?: unknown; name?: unknown; cause?: { code?: unknown } };
	const code = String(record.code ?? record.cause?.code ?? '');
	const origin = new URL(url).origin;
	// n8n ≥ 2.41 restricts the login hook's requests to the credential's allowed domains.
	if (/Domain not allowed|restricted from accessing/i.test(String(record.message))) {
		return tokenHostNotAllowed(new URL(url).hostname, label);
	}
	// n8n's legacy request helper reports TLS failures as "SSL Issue: …" without a code.
	if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME|SSL/i.test(code + String(record.message))) {
		return tokenError(
			'tls',
			`${label} at ${origin} presented a TLS certificate that is not trusted. ` +
				'Add its CA certificate to the credential, or turn on "Ignore SSL Issues" for this credential only.',
		);
	}
	if (/ECONNABORTED|ETIMEDOUT|ERR_CANCELED|timeout|abort/i.test(code + String(record.message) + String(record.name))) {
		return deadlineError(label, url);
	}
	// Plain words, not codes: n8n rewrites messages that contain ECONNRESET and the like.
	const reason = NETWORK_REASONS[code] ?? 'network error';
	return tokenError(
		'network',
		`Could not reach ${label} at ${origin} (${reason}). Check the URL and that n8n can reach it.`,
	);
}

function isStream(body: unknown): body is BodyStream {
	return typeof body === 'object' && body !== null && typeof (body as BodyStream).on === 'function' && typeof (body as BodyStream).destroy === 'function';
}

/** Reads a response body up to `settings.maxResponseBytes`: a bigger or endless body is cut off. */
async function readBounded(body: unknown, label: string): Promise<string> {
	const limit = settings.maxResponseBytes;
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') {
		if (Buffer.byteLength(body) > limit) throw tooLarge(label);
		return body;
	}
	if (Buffer.isBuffer(body)) {
		if (body.length > limit) throw tooLarge(label);
		return body.toString('utf8');
	}
	if (!isStream(body)) return JSON.stringify(body);
	return await new Promise<string>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let done = false;
		const finish = (error?: Error) => {
			if (done) return;
			done = true;
			if (error) reject(error);
			else resolve(Buffer.concat(chunks).toString('utf8'));
		};
		body.on('data', (chunk) => {
			const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			size += buffer.length;
			if (size > limit) {
				body.destroy();
				finish(tooLarge(label));
				return;
			}
			chunks.push(buffer);
		});
		body.on('end', () => finish());
		body.on('close', () => finish());
		body.on('error', (error) => finish(error));
	});
}

/** Where a 3xx points, as an origin only (a Location may carry a query with anything in it). */
function redirectTarget(location: string | string[] | undefined, url: string): string {
	const raw = Array.isArray(location) ? location[0] : location;
	try {
		return raw ? ` to ${new URL(raw, url).origin}` : '';
	} catch {
		return '';
	}
}

interface Deadline {
	fire?: () => void;
}

/**
 * Calls `deadline.fire` after `ms` unless the call cleared it first. Module-level on purpose: the
 * pending timer holds only this small object, not the call's scope (n8n's helpers, an execution),
 * which a timer left running would keep alive for its whole duration. (n8n-workflow's `sleep` is
 * the timer: community nodes may not use setTimeout, and `sleepWithAbort` is gone in n8n 2.41.)
 */
function arm(deadline: Deadline, ms: number): void {
	void sleep(ms).then(() => deadline.fire?.());
}

/** What every call of one AuthCall shares: n8n's helpers, the credential's TLS choice, its label. */
interface Endpoint {
	helpers: RequestHelpers;
	tls: TlsSettings;
	label: string;
}

function encoded(request: AuthRequest): { headers: Record<string, string>; body?: string } {
	const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
	if (!request.body) return { headers };
	headers['Content-Type'] = request.form ? 'application/x-www-form-urlencoded' : 'application/json';
	return { headers, body: request.form ? encodeForm(request.body) : JSON.stringify(request.body) };
}

/** n8n's legacy `request` helper: no redirect, the whole response, the body as a stream. */
function legacyOptions(request: AuthRequest, tls: TlsSettings): Record<string, unknown> {
	return {
		method: request.method,
		uri: request.url,
		...encoded(request),
		timeout: settings.timeoutMs,
		...(tls.ca ? { agentOptions: { ca: tls.ca } } : {}),
		rejectUnauthorized: !tls.skipVerification,
		resolveWithFullResponse: true,
		simple: false,
		json: false,
		useStream: true,
		followRedirect: false,
		followAllRedirects: false,
		maxRedirects: 0,
		sendCredentialsOnCrossOriginRedirect: false,
	};
}

function httpOptions(request: AuthRequest, tls: TlsSettings, signal: AbortSignal): IHttpRequestOptions {
	return {
		method: request.method,
		url: request.url,
		...encoded(request),
		timeout: settings.timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		skipSslCertificateValidation: tls.skipVerification,
		json: false,
		encoding: 'stream',
		disableFollowRedirect: true,
		abortSignal: signal,
		...(tls.ca ? { agentOptions: { ca: tls.ca } } : {}),
	};
}

async function exchange({ helpers, tls, label }: Endpoint, request: AuthRequest, signal: AbortSignal): Promise<FullResponse> {
	// A trusted CA goes through the legacy helper where n8n gives one (up to 2.40 its httpRequest
	// takes no CA); 2.41+ gives the login hook only httpRequest, which takes it as agentOptions.
	const useLegacy = helpers.request !== undefined && (tls.ca !== undefined || !helpers.httpRequest);
	if (useLegacy && helpers.request) return (await helpers.request(legacyOptions(request, tls))) as FullResponse;
	if (!helpers.httpRequest) throw tokenError('configuration', `n8n gave the ${label} credential no way to make HTTP requests.`);
	return (await helpers.httpRequest(httpOptions(request, tls, signal))) as FullResponse;
}

/** The response and its text, read within the total deadline; past it, an endless body is cut off. */
async function bounded(endpoint: Endpoint, request: AuthRequest): Promise<{ response: FullResponse; text: string }> {
	const { label } = endpoint;
	const cancel = new AbortController();
	let cutOff: (() => void) | undefined;
	const expired = new Promise<never>((_, reject) => {
		cutOff = () => reject(deadlineError(label, request.url));
	});
	let body: unknown;
	const deadline: Deadline = {
		fire: () => {
			cancel.abort();
			if (isStream(body)) body.destroy();
			cutOff?.();
		},
	};
	arm(deadline, settings.timeoutMs);
	const work = async (): Promise<{ response: FullResponse; text: string }> => {
		const response = await exchange(endpoint, request, cancel.signal);
		body = response.body;
		if (cancel.signal.aborted && isStream(body)) body.destroy();
		return { response, text: await readBounded(body, label) };
	};
	const sent = await settle(async () => await Promise.race([work(), expired]));
	deadline.fire = undefined;
	cutOff = undefined;
	body = undefined;
	if (!sent.ok) throw isTokenError(sent.error) ? sent.error : networkError(sent.error, label, request.url);
	return sent.value;
}

/** A redirect is refused; an error answer has the request's secrets removed before anything reads it. */
function checked(label: string, request: AuthRequest, response: FullResponse, text: string): AuthResponse {
	const statusCode = Number(response.statusCode ?? 0);
	const headers = response.headers ?? {};
	if (statusCode >= 300 && statusCode < 400) {
		throw tokenError(
			'badResponse',
			`${label} answered the token request with a redirect (HTTP ${statusCode}${redirectTarget(headers.location, request.url)}). ` +
				'Token requests never follow redirects, so no secret goes to another address: enter the final URL of the service in the credential.',
			statusCode,
		);
	}
	const secrets = request.secrets ?? [];
	const safeText = statusCode >= 200 && statusCode < 300 ? text : redact(text, secrets);
	return { statusCode, headers, body: parseBody(safeText), secrets };
}

async function send(endpoint: Endpoint, request: AuthRequest): Promise<AuthResponse> {
	const { response, text } = await bounded(endpoint, request);
	return checked(endpoint.label, request, response, text);
}

/**
 * Builds the one function protocols use to call a token endpoint, on top of n8n's own helpers so
 * that n8n's proxy and TLS settings apply. Every call is bounded: it follows no redirect (a
 * password must never travel to a host it was not meant for), has a total deadline (n8n's
 * `timeout` only limits idle time), and reads at most `maxResponseBytes`. `httpRequest` takes no
 * CA certificate before n8n 2.41, so with a trusted CA the legacy `request` helper is used.
 */
export function createAuthCall(helpers: RequestHelpers, tls: TlsSettings, label: string): AuthCall {
	const endpoint: Endpoint = { helpers, tls, label };
	// A 429 is waited out once when the service says how long and it is short; never looped.
	return async (request) => {
		const first = await send(endpoint, request);
		if (first.statusCode !== 429) return first;
		const waitMs = retryAfterMs(first.headers['retry-after']);
		if (waitMs === undefined || waitMs > settings.maxRetryAfterMs) return first;
		await sleep(waitMs);
		return await send(endpoint, request);
	};
}

const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** `Retry-After` as milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
	const raw = Array.isArray(value) ? value[0] : value;
	if (raw === undefined || raw.trim() === '') return undefined;
	// A day at most: anything longer is as good as "later", and must never print as Infinity.
	if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.min(Math.ceil(Number(raw) * 1000), MAX_RETRY_AFTER_MS);
	const date = Date.parse(raw);
	return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - Date.now()), MAX_RETRY_AFTER_MS);
}
