import { sleep } from 'n8n-workflow';
import type { IHttpRequestOptions } from 'n8n-workflow';

import { FortinetTokenError, settle } from './errors';
import { settings } from './settings';
import type { AuthCall, AuthRequest, AuthResponse, RequestHelpers, TlsSettings } from './types';

interface FullResponse {
	statusCode?: number;
	headers?: Record<string, string | string[] | undefined>;
	body?: unknown;
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

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return body;
	}
}

function encodeForm(fields: Record<string, string>): string {
	return new URLSearchParams(fields).toString();
}

/** Network failures carry a code (ECONNRESET, ECONNABORTED…); keep only that, never the request. */
function networkError(error: unknown, label: string, url: string): FortinetTokenError {
	const record = (error ?? {}) as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
	const code = String(record.code ?? record.cause?.code ?? '');
	const origin = new URL(url).origin;
	// n8n's legacy request helper reports TLS failures as "SSL Issue: …" without a code.
	if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME|SSL/i.test(code + String(record.message))) {
		return new FortinetTokenError(
			'tls',
			`${label} at ${origin} presented a TLS certificate that is not trusted. ` +
				'Add its CA certificate to the credential, or turn on "Ignore SSL Issues" for this credential only.',
		);
	}
	if (/ECONNABORTED|ETIMEDOUT|timeout/i.test(code + String(record.message))) {
		return new FortinetTokenError(
			'network',
			`${label} did not answer within ${Math.round(settings.timeoutMs / 1000)} s at ${origin}. Check the URL and that n8n can reach it.`,
		);
	}
	// Plain words, not codes: n8n rewrites messages that contain ECONNRESET and the like.
	const reason = NETWORK_REASONS[code] ?? 'network error';
	return new FortinetTokenError(
		'network',
		`Could not reach ${label} at ${origin} (${reason}). Check the URL and that n8n can reach it.`,
	);
}

/**
 * Builds the one function protocols use to call a token endpoint, on top of n8n's own helpers so
 * that n8n's proxy and TLS settings apply. `httpRequest` cannot take a CA certificate, so with a
 * trusted CA the legacy `request` helper (which passes `agentOptions` through) is used instead.
 */
export function createAuthCall(helpers: RequestHelpers, tls: TlsSettings, label: string): AuthCall {
	const send = async (request: AuthRequest): Promise<AuthResponse> => {
		const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
		let body: string | undefined;
		if (request.body) {
			headers['Content-Type'] = request.form ? 'application/x-www-form-urlencoded' : 'application/json';
			body = request.form ? encodeForm(request.body) : JSON.stringify(request.body);
		}
		const sent = await settle(async (): Promise<FullResponse> => {
			if (tls.ca) {
				if (!helpers.request) {
					throw new FortinetTokenError(
						'configuration',
						`This n8n version cannot use a custom CA certificate for ${label}; turn on "Ignore SSL Issues" instead.`,
					);
				}
				return (await helpers.request({
					method: request.method,
					uri: request.url,
					headers,
					body,
					timeout: settings.timeoutMs,
					agentOptions: { ca: tls.ca },
					rejectUnauthorized: !tls.skipVerification,
					resolveWithFullResponse: true,
					simple: false,
					json: false,
				})) as FullResponse;
			}
			const options: IHttpRequestOptions = {
				method: request.method,
				url: request.url,
				headers,
				body,
				timeout: settings.timeoutMs,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				skipSslCertificateValidation: tls.skipVerification,
				json: false,
			};
			return (await helpers.httpRequest(options)) as FullResponse;
		});
		if (!sent.ok) {
			throw sent.error instanceof FortinetTokenError ? sent.error : networkError(sent.error, label, request.url);
		}
		const response = sent.value;
		return {
			statusCode: Number(response.statusCode ?? 0),
			headers: response.headers ?? {},
			body: parseBody(response.body),
		};
	};

	// A 429 is waited out once when the service says how long and it is short; never looped.
	return async (request) => {
		const first = await send(request);
		if (first.statusCode !== 429) return first;
		const waitMs = retryAfterMs(first.headers['retry-after']);
		if (waitMs === undefined || waitMs > settings.maxRetryAfterMs) return first;
		await sleep(waitMs);
		return await send(request);
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
