import { describeErrorBody, FortinetTokenError, tokenError } from './errors';
import { settings } from './settings';
import { retryAfterMs } from './transport';
import type { AuthResponse, Liveness, ServiceDescription, TokenSet } from './types';

type ExpiryParser = (value: unknown, token: string, now: number) => number | null;

interface TokenFields {
	/** Name of the expiry field and how to read it. */
	expiryField: string;
	parseExpiry: ExpiryParser;
	/** The refresh token to keep when the answer carries none (refresh grants). */
	previousRefreshToken?: string;
}

/** Visible ASCII without spaces: what a Bearer token (RFC 6750 token68 and common variants) can hold. */
export const HEADER_SAFE = /^[\x21-\x7E]+$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A successful answer whose body is not a JSON object (an HTML page, truncated JSON). */
export function notJson(response: AuthResponse, service: ServiceDescription): FortinetTokenError {
	const body = response.body;
	const what = describeErrorBody(body, response.secrets);
	return tokenError(
		'badResponse',
		`${service.label} answered the token request with ${typeof body === 'string' && what?.startsWith('an HTML') ? what : 'a body that is not JSON'} (HTTP ${response.statusCode}). Check the URL points at the ${service.label} API.`,
		response.statusCode,
	);
}

/** Reads a successful token answer; anything short of a usable token is an error, never an empty Bearer. */
export function readToken(response: AuthResponse, service: ServiceDescription, fields: TokenFields): TokenSet {
	const body = response.body;
	if (!isRecord(body)) throw notJson(response, service);
	const accessToken = text(body.access_token);
	if (accessToken && !HEADER_SAFE.test(accessToken)) {
		throw tokenError(
			'badResponse',
			`${service.label} answered the token request with an access token that cannot be sent in a header (spaces or control characters).`,
			response.statusCode,
		);
	}
	const refreshToken = text(body.refresh_token);
	for (const [name, value] of [['access', accessToken], ['refresh', refreshToken]] as const) {
		if (value && value.length > settings.maxTokenLength) {
			throw tokenError(
				'badResponse',
				`${service.label} answered the token request with ${name === 'access' ? 'an' : 'a'} ${name} token of ${Math.round(value.length / 1024)} KB, over the ${Math.round(settings.maxTokenLength / 1024)} KB n8n accepts. Check the URL points at the ${service.label} API.`,
				response.statusCode,
			);
		}
	}
	if (!accessToken) {
		const said = describeErrorBody(body, response.secrets);
		throw tokenError(
			'badResponse',
			`${service.label} answered the token request without an access token${said ? ` (${said})` : ''}.`,
			response.statusCode,
		);
	}
	const now = Date.now();
	return {
		accessToken,
		refreshToken: refreshToken ?? fields.previousRefreshToken,
		tokenType: /^bearer$/i.test(text(body.token_type) ?? 'Bearer') ? 'Bearer' : (text(body.token_type) as string),
		scope: text(body.scope),
		expiresAt: fields.parseExpiry(body[fields.expiryField], accessToken, now),
		issuedAt: now,
	};
}

export type GrantKind = 'login' | 'refresh' | 'revoke';

function rateLimited(response: AuthResponse, service: ServiceDescription): FortinetTokenError {
	const wait = retryAfterMs(response.headers['retry-after']);
	return tokenError(
		'rateLimited',
		`${service.label} is rate limiting logins (HTTP 429)${wait !== undefined ? `; it asks to wait ${Math.ceil(wait / 1000)} s` : ''}. ` +
			'Too many logins for this API user: let the cached token be reused, or retry later.',
		429,
		undefined,
		wait,
	);
}

/** Turns a failed token-endpoint answer into a message naming the service and what to fix. */
export function failure(
	response: AuthResponse,
	service: ServiceDescription,
	grant: GrantKind,
	clientId?: string,
): FortinetTokenError {
	const status = response.statusCode;
	const said = describeErrorBody(response.body, response.secrets);
	const saidPart = said ? ` (${said})` : '';
	const body = isRecord(response.body) ? response.body : {};
	const what = grant === 'login' ? 'login' : grant;
	if (status === 429) return rateLimited(response, service);
	if (clientId !== undefined && status === 401 && body.status === 'failure' && grant !== 'refresh') {
		return tokenError(
			'unknownClient',
			`FortiCloud IAM refused client_id "${clientId}" for ${service.label}${saidPart}. Check the Client ID / Service field matches the API user's permission profile.`,
			status,
		);
	}
	if (status >= 500 || status === 0) {
		return tokenError('serviceError', `${service.label} had an internal error during the ${what} (HTTP ${status})${saidPart}. Retry later.`, status);
	}
	if (grant === 'refresh') {
		return tokenError('badCredentials', `${service.label} refused the refresh token (HTTP ${status})${saidPart}.`, status);
	}
	if (status === 400 || status === 401 || status === 403) {
		return tokenError(
			'badCredentials',
			`${service.label} rejected the credentials (HTTP ${status}${said ? `: ${said}` : ''}). Check ${service.secretHint}.`,
			status,
		);
	}
	return tokenError('serviceError', `${service.label} answered the ${what} with HTTP ${status}${saidPart}.`, status);
}

/** A token check's answer: 200 alive, 401 dead, 404/405/501 no such call, anything else unknown. */
export function livenessOf(status: number): Liveness {
	if (status === 200) return 'alive';
	if (status === 401) return 'dead';
	return [404, 405, 501].includes(status) ? 'unsupported' : 'unknown';
}

export function isSuccess(response: AuthResponse): boolean {
	return response.statusCode >= 200 && response.statusCode < 300;
}
