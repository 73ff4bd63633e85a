import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { isRecord } from './responses';
import type { Connection, Protocol, TlsSettings } from './types';

/**
 * What `authenticate` does to the request n8n is about to send. n8n hands in either its
 * `httpRequest` options (`url`, `skipSslCertificateValidation`, `disableFollowRedirect`) or, from
 * the HTTP Request node, legacy request options (`uri`, `rejectUnauthorized`, `agentOptions`,
 * `followRedirect`, `maxRedirects`); both shapes are written, each path reads its own.
 */
type AnyRequestOptions = IHttpRequestOptions & {
	uri?: unknown;
	rejectUnauthorized?: boolean;
	agentOptions?: Record<string, unknown>;
	followRedirect?: boolean;
	followAllRedirects?: boolean;
	maxRedirects?: number;
	sendCredentialsOnCrossOriginRedirect?: boolean;
};

/**
 * No token for this identity in this process, and no way to log in from here (`authenticate` gets
 * no HTTP helper): the request goes out without credentials, never with an empty or a foreign
 * Bearer. The service's 401 makes n8n run preAuthentication (which logs in) and retry.
 */
export function withoutToken(request: IHttpRequestOptions): IHttpRequestOptions {
	if (request.headers) {
		for (const name of Object.keys(request.headers)) {
			if (name.toLowerCase() === 'authorization') delete request.headers[name];
		}
	}
	return request;
}

/**
 * The Bearer, on a request that does not follow redirects. n8n follows redirects with the same
 * headers and TLS options, and by default re-adds the Authorization header on another origin; its
 * own switch for that (`sendCredentialsOnCrossOriginRedirect`) is not in every version, and the
 * redirect library keeps the header for sub-domains. So a 3xx comes back as the API's answer.
 */
export function withBearer(request: IHttpRequestOptions, token: string): IHttpRequestOptions {
	return withHeaders(request, { Authorization: `Bearer ${token}` });
}

/** A request that may change something (FortiOS wants the CSRF token of a cookie session on it). */
export function isWrite(request: IHttpRequestOptions): boolean {
	const method = String(request.method ?? 'GET').toUpperCase();
	return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

function cookieName(pair: string): string {
	return pair.slice(0, Math.max(0, pair.indexOf('='))).trim();
}

/** The user's own cookies with the credential's appended; a user cookie of the same name gives way. */
function mergedCookie(user: unknown, own: string): string {
	const ours = new Set(own.split(';').map(cookieName));
	const kept = String(user ?? '')
		.split(';')
		.map((pair) => pair.trim())
		.filter((pair) => pair !== '' && !ours.has(cookieName(pair)));
	return [...kept, own].join('; ');
}

/**
 * The token's headers (a session key as Bearer, or session cookies and a CSRF token), on a request
 * that does not follow redirects, as `withBearer`. They replace any Authorization header and any
 * header of the same name the user set, except the Cookie header, which keeps the user's cookies.
 */
export function withHeaders(request: IHttpRequestOptions, own: Record<string, string>): IHttpRequestOptions {
	const names = new Set(Object.keys(own).map((name) => name.toLowerCase()));
	const headers: IDataObject = { ...request.headers };
	const result: Record<string, string> = { ...own };
	for (const name of Object.keys(headers)) {
		const lower = name.toLowerCase();
		if (lower === 'cookie' && own.Cookie !== undefined) result.Cookie = mergedCookie(headers[name], own.Cookie);
		if (lower === 'authorization' || names.has(lower)) delete headers[name];
	}
	request.headers = { ...headers, ...result };
	return withoutRedirects(request);
}

/** The token as the protocol carries it on an API request: its headers, else a Bearer header. */
export function withToken(request: IHttpRequestOptions, token: string, protocol: Protocol, connection: Connection): IHttpRequestOptions {
	return protocol.headers ? withHeaders(request, protocol.headers(token, isWrite(request), connection)) : withBearer(request, token);
}

export function withoutRedirects(request: IHttpRequestOptions): IHttpRequestOptions {
	const options = request as AnyRequestOptions;
	options.disableFollowRedirect = true;
	options.followRedirect = false;
	options.followAllRedirects = false;
	options.maxRedirects = 0;
	options.sendCredentialsOnCrossOriginRedirect = false;
	return options;
}

/** The request's absolute URL, whichever option shape carries it; undefined when unreadable. */
export function targetOf(request: IHttpRequestOptions): URL | undefined {
	const options = request as AnyRequestOptions;
	const url = String(options.url ?? options.uri ?? '');
	try {
		return url.startsWith('http') ? new URL(url) : new URL(url, options.baseURL);
	} catch {
		return undefined;
	}
}

/**
 * Whether a token may go to this request's host: the credential's own URL (same origin), or a host
 * under one of the service's API domains over HTTPS.
 */
export function isIntendedHost(target: URL | undefined, ownUrl: string, apiDomains: readonly string[]): boolean {
	if (!target) return false;
	try {
		if (target.origin === new URL(ownUrl).origin) return true;
	} catch {
		return false;
	}
	const host = target.hostname.toLowerCase().replace(/\.$/, '');
	return target.protocol === 'https:' && apiDomains.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/**
 * Applies the credential's TLS choice (skip verification, or trust a CA) to requests to its own
 * origin only. A request elsewhere keeps n8n's normal verification.
 */
export function withTls(request: IHttpRequestOptions, ownUrl: string, tls: TlsSettings): IHttpRequestOptions {
	if (!tls.skipVerification && !tls.ca) return request;
	const target = targetOf(request);
	let sameOrigin = false;
	try {
		sameOrigin = target !== undefined && target.origin === new URL(ownUrl).origin;
	} catch {
		sameOrigin = false;
	}
	if (!sameOrigin) return request;
	const options = withoutRedirects(request) as AnyRequestOptions;
	if (tls.skipVerification) {
		options.skipSslCertificateValidation = true;
		options.rejectUnauthorized = false;
	}
	if (tls.ca) options.agentOptions = { ...options.agentOptions, ca: tls.ca };
	return options;
}

/** A FortiManager JSON-RPC request body: `method` and a `params` array. */
function isJsonRpc(body: unknown): body is Record<string, unknown> {
	return isRecord(body) && !Buffer.isBuffer(body) && typeof body.method === 'string' && Array.isArray(body.params);
}

/**
 * The JSON-RPC body of the request, as an object, when it is one (n8n passes an object, or the
 * JSON text of a raw body); undefined for anything else, which never gets a session.
 */
export function jsonRpcBody(request: IHttpRequestOptions): Record<string, unknown> | undefined {
	const body: unknown = request.body;
	if (isJsonRpc(body)) return body;
	if (typeof body !== 'string' || !body.trimStart().startsWith('{')) return undefined;
	try {
		const parsed: unknown = JSON.parse(body);
		return isJsonRpc(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The session as the `session` member of the JSON-RPC body (replacing one the body brought), on a
 * request that does not follow redirects: the body would travel with a redirect. A body given as
 * text stays text.
 */
export function withSession(request: IHttpRequestOptions, body: Record<string, unknown>, session: string): IHttpRequestOptions {
	const withIt = { ...body, session };
	request.body = typeof request.body === 'string' ? JSON.stringify(withIt) : withIt;
	return withoutRedirects(request);
}
