import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { tokenError } from './errors';
import type { FortinetTokenError } from './errors';
import type { TlsSettings } from './types';

/** Reads the credential fields every service uses, with messages naming the field to fix. */
export function optionalText(credentials: ICredentialDataDecryptedObject, field: string): string {
	const value = credentials[field];
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

export function requiredText(
	credentials: ICredentialDataDecryptedObject,
	field: string,
	displayName: string,
	label: string,
): string {
	const value = optionalText(credentials, field);
	if (!value) {
		throw tokenError('configuration', `The ${label} credential has no ${displayName}: fill in "${displayName}".`);
	}
	return value;
}

/**
 * The "Session Idle Timeout (Minutes)" field: how long the appliance keeps an unused session (its
 * own setting); undefined when empty, for the product's default.
 */
export function sessionIdleMs(credentials: ICredentialDataDecryptedObject, label: string): number | undefined {
	const raw = optionalText(credentials, 'idleMinutes');
	if (raw === '') return undefined;
	const minutes = Number(raw);
	// A fraction is taken as said (down to a second): tests and short appliance settings.
	if (!Number.isFinite(minutes) || minutes < 1 / 60 || minutes > 1440) {
		throw tokenError('configuration', `"Session Idle Timeout (Minutes)" of the ${label} credential must be a number of minutes from 1 to 1440.`);
	}
	return minutes * 60_000;
}

/** An http(s) URL without a trailing slash. */
export function baseUrl(
	credentials: ICredentialDataDecryptedObject,
	field: string,
	displayName: string,
	label: string,
	fallback?: string,
): string {
	const raw = optionalText(credentials, field) || fallback || '';
	if (!raw) {
		throw tokenError('configuration', `The ${label} credential has no ${displayName}: fill in "${displayName}".`);
	}
	const known = normalizedUrls.get(raw);
	if (known !== undefined) return known;
	if (!URL.canParse(raw)) {
		throw tokenError(
			'configuration',
			`"${displayName}" of the ${label} credential is not a URL: enter it like https://host.example.com.`,
		);
	}
	const parsed = new URL(raw);
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw tokenError('configuration', `"${displayName}" of the ${label} credential must start with https://.`);
	}
	const normalized = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
	// A URL with user info (user:password@host) is never kept as a key.
	if (parsed.username === '' && parsed.password === '') {
		if (normalizedUrls.size >= MAX_REMEMBERED_URLS) normalizedUrls.clear();
		normalizedUrls.set(raw, normalized);
	}
	return normalized;
}

/** URLs seen in credentials, normalized once (they are not secrets; a handful per n8n instance). */
const normalizedUrls = new Map<string, string>();
const MAX_REMEMBERED_URLS = 1000;

export function tlsFrom(credentials: ICredentialDataDecryptedObject): TlsSettings {
	const ca = optionalText(credentials, 'caCertificate');
	return { skipVerification: credentials.ignoreSSLIssues === true, ...(ca ? { ca } : {}) };
}

export const VERIFIED_TLS: TlsSettings = { skipVerification: false };

/**
 * n8n's "Allowed HTTP Request Domains" set to "Specific Domains": the host that issues the tokens
 * must be listed, on every n8n version (n8n itself restricts the login request only from 2.41).
 * Matching follows n8n's: exact host names, and `*.example.com` for subdomains only.
 */
export function assertTokenHostAllowed(credentials: ICredentialDataDecryptedObject, url: string, label: string): void {
	if (credentials.allowedHttpRequestDomains !== 'domains') return;
	const host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
	const listed = optionalText(credentials, 'allowedDomains')
		.split(',')
		.map((domain) => domain.trim().toLowerCase().replace(/\.$/, ''))
		.filter(Boolean);
	const allowed = listed.some((domain) =>
		domain.startsWith('*.') ? domain.length > 2 && host.endsWith(domain.slice(1)) : host === domain,
	);
	if (!allowed) throw tokenHostNotAllowed(host, label);
}

export function tokenHostNotAllowed(host: string, label: string): FortinetTokenError {
	return tokenError(
		'configuration',
		`The credential's "Allowed HTTP Request Domains" do not include ${host}, where ${label} issues its tokens: add ${host} to the list.`,
	);
}
