import { OperationalError, UserError } from 'n8n-workflow';

/**
 * Errors the engine raises. Messages are written for the workflow author: they name the service
 * and what to fix, and never contain a secret (callers pass every secret they hold to `redact`).
 */
export type FortinetErrorKind =
	| 'badCredentials'
	| 'unknownClient'
	| 'rateLimited'
	| 'serviceError'
	| 'badResponse'
	| 'network'
	| 'tls'
	| 'expiredToken'
	| 'configuration'
	/** A token or session must be renewed or confirmed before the request: n8n's retry runs preAuthentication. */
	| 'renewalPending';

/** Failures the user fixes (a field, the secret, a pasted token): n8n treats them as user errors. */
const USER_KINDS: ReadonlySet<FortinetErrorKind> = new Set(['badCredentials', 'unknownClient', 'configuration', 'expiredToken', 'tls']);

interface TokenErrorDetails {
	readonly kind: FortinetErrorKind;
	readonly serviceStatus?: number;
	/** For `rateLimited`: how long the service asked to wait, when it said. */
	readonly retryAfterMs?: number;
}

/*
 * Deliberately without `httpCode`/`status`/`code` properties: n8n's NodeApiError, which wraps errors
 * thrown from credential hooks, swaps a message for a generic "Authorization failed" text when it
 * finds one, and the user would lose the reason.
 */

/** A wrong field or secret: n8n's UserError (logged as info, not reported as a crash). */
export class FortinetUserError extends UserError implements TokenErrorDetails {
	constructor(
		readonly kind: FortinetErrorKind,
		message: string,
		readonly serviceStatus?: number,
		description?: string,
		readonly retryAfterMs?: number,
	) {
		super(message, { description });
		this.name = 'FortinetTokenError';
	}
}

/** An unreachable, limiting or failing service: n8n's OperationalError (transient, expected). */
export class FortinetServiceError extends OperationalError implements TokenErrorDetails {
	constructor(
		readonly kind: FortinetErrorKind,
		message: string,
		readonly serviceStatus?: number,
		description?: string,
		readonly retryAfterMs?: number,
	) {
		super(message, { description });
		this.name = 'FortinetTokenError';
	}
}

export type FortinetTokenError = FortinetUserError | FortinetServiceError;

/** The engine's error for a kind of failure, of the n8n error class that kind belongs to. */
export function tokenError(
	kind: FortinetErrorKind,
	message: string,
	serviceStatus?: number,
	description?: string,
	retryAfterMs?: number,
): FortinetTokenError {
	return USER_KINDS.has(kind)
		? new FortinetUserError(kind, message, serviceStatus, description, retryAfterMs)
		: new FortinetServiceError(kind, message, serviceStatus, description, retryAfterMs);
}

export function isTokenError(error: unknown): error is FortinetTokenError {
	if (error instanceof FortinetUserError || error instanceof FortinetServiceError) return true;
	// A second copy of the engine module (bundlers, duplicated installs) still carries the shape.
	return error instanceof Error && error.name === 'FortinetTokenError' && typeof (error as { kind?: unknown }).kind === 'string';
}

const MIN_SECRET_LENGTH = 4;

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Every form in which a secret the engine sends may come back in an error body: as is, base64
 * (Basic), percent-encoded, form-encoded (`+` for space, `%21`…), JSON-escaped (also with `\/`
 * and `\uXXXX` escapes) and HTML-escaped.
 */
function encodedForms(secret: string): string[] {
	const json = JSON.stringify(secret).slice(1, -1);
	const forms = [
		secret,
		Buffer.from(secret).toString('base64'),
		encodeURIComponent(secret),
		new URLSearchParams({ s: secret }).toString().slice(2),
		json,
		json.replace(/\//g, '\\/'),
		json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
		secret.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]),
	];
	return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of the given secrets (in each encoded form) with a marker. */
export function redact(text: string, secrets: Array<string | undefined>): string {
	let out = text;
	for (const secret of secrets) {
		if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
		for (const form of encodedForms(secret)) {
			// Replacing can join the marker with its neighbours into the secret again: repeat a
			// few times, then drop the secret without a marker.
			for (let pass = 0; pass < 3 && out.includes(form); pass++) out = out.split(form).join('[redacted]');
			while (out.includes(form)) out = out.split(form).join('');
		}
	}
	return out;
}

/**
 * The human part of a Fortinet error body, whichever of the shapes seen in the wild it has. The
 * secrets are removed before the text is shortened: a cut must never leave half a secret behind.
 */
export function describeErrorBody(body: unknown, secrets: Array<string | undefined> = []): string | undefined {
	if (typeof body === 'string') {
		const text = redact(body, secrets).trim();
		if (!text) return undefined;
		// The page's title stays out: n8n swaps a headline containing "Bad Gateway" and the like
		// for its own generic text, which would hide the service's name.
		if (/^<!doctype html|^<html|<\/html>/i.test(text)) return 'an HTML page instead of JSON';
		return text.length > 200 ? `${text.slice(0, 200)}…` : text;
	}
	if (!body || typeof body !== 'object') return undefined;
	const record = body as Record<string, unknown>;
	const clean = (key: string) => (typeof record[key] === 'string' ? redact(record[key], secrets).trim() : '');
	const parts: string[] = [];
	for (const key of ['error_description', 'status_message', 'message', 'msg', 'detail']) {
		const said = clean(key);
		if (said && !parts.includes(said)) parts.push(said);
	}
	// OAuth's `error` is a code ("invalid_grant"): after the sentence, in brackets, or alone.
	const error = clean('error');
	if (error && !parts.includes(error)) parts.push(parts.length > 0 ? `[${error}]` : error);
	if (parts.length === 0 && record.code !== undefined && typeof record.code !== 'object') {
		parts.push(`code ${String(record.code)}`);
	}
	const text = parts.join(' ');
	return text.length > 300 ? `${text.slice(0, 300)}…` : text || undefined;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `work` and returns its value or what it threw. The engine decides what to do with a
 * failure outside the catch block: n8n's lint reserves throwing inside catch for node errors.
 */
export async function settle<T>(work: () => Promise<T>): Promise<Settled<T>> {
	try {
		return { ok: true, value: await work() };
	} catch (error) {
		return { ok: false, error };
	}
}

/** The value of a settled outcome, or its error thrown again. */
export function unwrap<T>(settled: Settled<T>): T {
	if (!settled.ok) throw settled.error;
	return settled.value;
}
