/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tool code runs in Node, not inside n8n: Node globals are its to use */
/**
 * Property-based tests of every response parser with random and hostile input (fast-check):
 * anything a Fortinet service (or a proxy in front of it) might answer must end in a usable token
 * or a FortinetTokenError with a clear, bounded message — never another exception, an empty
 * token, an expiry in the past, or a message with "undefined" in it.
 */
import fc from 'fast-check';

import {
	SERVICES,
} from '../../credentials/engine';
import { describeErrorBody, isTokenError, redact } from '../../credentials/engine/errors';
import type { FortinetTokenError } from '../../credentials/engine/errors';
import { fromEpochMillis, fromExpiresIn, jwtExpiry, renewalWindow } from '../../credentials/engine/expiry';
import { failure, readToken } from '../../credentials/engine/responses';
import type { GrantKind } from '../../credentials/engine/responses';
import { retryAfterMs } from '../../credentials/engine/transport';
import type { AuthResponse, ServiceDescription } from '../../credentials/engine/types';

// FC_RUNS=20000 npx jest test/faults/parsers for a longer hunt.
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 400) };
const YEAR_MS = 366 * 24 * 3600 * 1000;
const MAX_MESSAGE = 800;
const services = Object.values(SERVICES);

// ------------------------------------------------------------------ arbitraries

const hugeNumber = fc.oneof(
	fc.constantFrom(1e15, -1e15, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Infinity, -Infinity, NaN, -0, 0, 5e-324),
	fc.double(),
	fc.integer(),
);
const numericString = fc.oneof(
	hugeNumber.map(String),
	fc.constantFrom('3600', ' 3600 ', '-5', '0', '1e15', '1e400', '1.585002117836E12', '0x10', '', '  ', 'soon', 'NaN', 'Infinity', '١٢٣'),
	fc.stringMatching(/^-?\d{1,400}(\.\d{1,20})?([eE][+-]?\d{1,4})?$/),
);
const html = fc.oneof(
	fc.constant('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>'),
	fc.string().map((t) => `<!DOCTYPE html><html><head><title>${t}</title></head></html>`),
	fc.string().map((t) => `<html>${t}`),
	fc.string({ maxLength: 5000 }).map((t) => `${t}</html>`),
);
const hostileValue = fc.oneof(
	fc.anything(),
	fc.string(),
	fc.string({ unit: 'binary', maxLength: 300 }),
	hugeNumber,
	numericString,
	html,
	fc.constantFrom(null, undefined, true, false, [], {}, '   ', 'undefined', 'null', 'Bearer '),
	fc.array(fc.string()),
	fc.dictionary(fc.string(), fc.anything()),
);
const hostileRecord = fc.record(
	{
		access_token: hostileValue,
		refresh_token: hostileValue,
		token_type: hostileValue,
		expires: hostileValue,
		expires_in: hostileValue,
		scope: hostileValue,
		error: hostileValue,
		error_description: hostileValue,
		status_message: hostileValue,
		message: hostileValue,
		msg: hostileValue,
		detail: hostileValue,
		code: hostileValue,
		status: hostileValue,
	},
	{ requiredKeys: [] },
);
/** A body as the transport hands it over: parsed JSON when it was JSON, else the raw text. */
const hostileBody = fc.oneof(
	fc.anything(),
	hostileRecord,
	fc.json().map((text) => JSON.parse(text) as unknown),
	fc.json(),
	fc.string({ maxLength: 5000 }),
	html,
	fc.constant('{"access_token": "trunc'),
	hugeNumber,
);
const goodToken = fc.stringMatching(/^[A-Za-z0-9._~+/=-]{1,80}$/);
const retryAfter = fc.oneof(
	fc.constant(undefined),
	fc.string(),
	numericString,
	fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
	fc.array(fc.oneof(fc.string(), numericString), { maxLength: 3 }),
);
const headers = fc.record({ 'retry-after': retryAfter, 'content-type': fc.oneof(fc.constant(undefined), fc.string()) }, { requiredKeys: [] });
const response = (status: fc.Arbitrary<number>): fc.Arbitrary<AuthResponse> =>
	fc.record({ statusCode: status, headers, body: hostileBody }) as fc.Arbitrary<AuthResponse>;
const service = fc.constantFrom(...services);

// ------------------------------------------------------------------ helpers

function textOf(value: unknown): string {
	if (typeof value === 'string') return value;
	try {
		// What the service said, as text: undefined, NaN and Infinity kept as words (JSON would drop them).
		return (
			JSON.stringify(value, (_k, v: unknown) =>
				v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? String(v) : v,
			) ?? String(value)
		);
	} catch {
		return String(value);
	}
}

/** Runs a parser: its only exception may be a FortinetTokenError. */
function outcome<T>(work: () => T): { ok: true; value: T } | { ok: false; error: FortinetTokenError } {
	try {
		return { ok: true, value: work() };
	} catch (error) {
		expect(isTokenError(error)).toBe(true);
		return { ok: false, error: error as FortinetTokenError };
	}
}

/** A message for the workflow author: a bounded string, no artefacts of missing values. */
function expectCleanMessage(message: unknown, input: unknown, label?: string): void {
	expect(typeof message).toBe('string');
	const text = message as string;
	expect(text.length).toBeGreaterThan(0);
	expect(text.length).toBeLessThanOrEqual(MAX_MESSAGE);
	const source = textOf(input);
	// Only the service's own words may bring these in.
	for (const artefact of ['undefined', '[object Object]', 'NaN']) {
		if (text.includes(artefact)) expect(source).toContain(artefact);
	}
	if (label) expect(text).toContain(label);
}

function expectSaneExpiry(expiresAt: number | null, now: number): void {
	if (expiresAt === null) return;
	expect(Number.isFinite(expiresAt)).toBe(true);
	expect(expiresAt).toBeGreaterThan(now);
	expect(expiresAt).toBeLessThanOrEqual(now + YEAR_MS);
}

const FIELD_SETS = [
	{ expiryField: 'expires_in', parseExpiry: fromExpiresIn },
	{ expiryField: 'expires', parseExpiry: fromEpochMillis },
];

// ------------------------------------------------------------------ properties

describe('readToken', () => {
	test('returns a usable token or throws a FortinetTokenError naming the service', () => {
		fc.assert(
			fc.property(
				response(fc.integer({ min: 100, max: 599 })),
				service,
				fc.constantFrom(...FIELD_SETS),
				fc.option(goodToken, { nil: undefined }),
				(res, svc: ServiceDescription, fields, previousRefreshToken) => {
					const before = Date.now();
					const result = outcome(() => readToken(res, svc, { ...fields, previousRefreshToken }));
					if (!result.ok) {
						expectCleanMessage(result.error.message, res.body, svc.label);
						expect(result.error.kind).toBe('badResponse');
						return;
					}
					const token = result.value;
					expect(typeof token.accessToken).toBe('string');
					expect(token.accessToken.trim()).not.toBe('');
					expect(token.accessToken).toBe(token.accessToken.trim());
					if (token.refreshToken !== undefined) {
						expect(typeof token.refreshToken).toBe('string');
						expect(token.refreshToken.trim()).not.toBe('');
					}
					expect(typeof token.tokenType).toBe('string');
					expect(token.tokenType).not.toBe('');
					expectSaneExpiry(token.expiresAt, before - 5);
				},
			),
			RUNS,
		);
	});

	test('a hostile record with a valid access token always yields that token and a sane expiry', () => {
		fc.assert(
			fc.property(hostileRecord, goodToken, service, fc.constantFrom(...FIELD_SETS), (body, accessToken, svc, fields) => {
				const now = Date.now();
				const token = readToken({ statusCode: 200, headers: {}, body: { ...body, access_token: accessToken } }, svc, fields);
				expect(token.accessToken).toBe(accessToken);
				expectSaneExpiry(token.expiresAt, now - 5);
			}),
			RUNS,
		);
	});

	test('anything without a usable access_token is refused (never an empty Bearer)', () => {
		fc.assert(
			fc.property(
				hostileRecord,
				fc.oneof(fc.constantFrom(undefined, null, '', '   ', '\n\t', 0, 1, true, [], {}), fc.array(goodToken), fc.double()),
				service,
				(body, accessToken, svc) => {
					const result = outcome(() =>
						readToken({ statusCode: 200, headers: {}, body: { ...body, access_token: accessToken } }, svc, FIELD_SETS[0]),
					);
					expect(result.ok).toBe(false);
				},
			),
			RUNS,
		);
	});

	// RFC 6750 tokens are b64token characters. A service (or a proxy) answering an access_token with
	// whitespace or control characters inside gets it accepted and sent as `Bearer a b` or with a
	// CR/LF: Node refuses the header at request time with an error that does not name the service.
	test('an access token with whitespace or control characters inside is refused', () => {
		fc.assert(
			fc.property(goodToken, fc.constantFrom(' ', '\r\n', '\n', '\t', '\u0000', '\u007f'), goodToken, service, (a, bad, b, svc) => {
				const result = outcome(() => readToken({ statusCode: 200, headers: {}, body: { access_token: `${a}${bad}${b}` } }, svc, FIELD_SETS[0]));
				expect(result.ok).toBe(false);
			}),
			RUNS,
		);
	});
});

describe('failure', () => {
	const grants: GrantKind[] = ['login', 'refresh', 'revoke'];

	test('always returns (never throws) a FortinetTokenError with a clean message naming the service', () => {
		fc.assert(
			fc.property(
				response(fc.oneof(fc.integer({ min: 0, max: 999 }), fc.constantFrom(400, 401, 403, 429, 500, 502, 503))),
				service,
				fc.constantFrom(...grants),
				fc.option(fc.oneof(fc.constantFrom('FortiSASE', 'fortilancloud', 'flexvm'), fc.string()), { nil: undefined }),
				(res, svc, grant, clientId) => {
					const error = failure(res, svc, grant, clientId);
					expect(isTokenError(error)).toBe(true);
					expectCleanMessage(error.message, [res.body, clientId], svc.label);
					if (res.statusCode === 429) expect(error.kind).toBe('rateLimited');
				},
			),
			RUNS,
		);
	});

	// A Retry-After of 400 digits is a number JavaScript rounds to Infinity.
	test('a 429 with an absurd Retry-After never says "wait Infinity s"', () => {
		fc.assert(
			fc.property(fc.stringMatching(/^\d{310,400}$/), service, (value, svc) => {
				const error = failure({ statusCode: 429, headers: { 'retry-after': value }, body: {} }, svc, 'login');
				expect(error.message).not.toMatch(/Infinity|NaN/);
			}),
			{ numRuns: 20 },
		);
	});
});

describe('describeErrorBody', () => {
	test('undefined or a bounded, non-empty string; never throws', () => {
		fc.assert(
			fc.property(hostileBody, (body) => {
				const said = describeErrorBody(body);
				if (said === undefined) return;
				expect(typeof said).toBe('string');
				expect(said.trim()).not.toBe('');
				expect(said.length).toBeLessThanOrEqual(310);
				for (const artefact of ['undefined', '[object Object]']) {
					if (said.includes(artefact)) expect(textOf(body)).toContain(artefact);
				}
			}),
			RUNS,
		);
	});

	test('an HTML page is named as such, never echoed', () => {
		fc.assert(
			fc.property(html, (page) => {
				const said = describeErrorBody(page);
				if (said === undefined) return;
				expect(said).toMatch(/^an HTML page/);
				expect(said.length).toBeLessThanOrEqual(160);
			}),
			RUNS,
		);
	});
});

describe('expiry parsers', () => {
	test('fromExpiresIn and fromEpochMillis: null or in the future within a year, whatever the value and token', () => {
		fc.assert(
			fc.property(hostileValue, fc.oneof(fc.string(), goodToken), (value, token) => {
				const now = Date.now();
				for (const parse of [fromExpiresIn, fromEpochMillis]) {
					const result = outcome(() => parse(value, token, now));
					expect(result.ok).toBe(true);
					if (result.ok) expectSaneExpiry(result.value, now);
				}
			}),
			RUNS,
		);
	});

	test('jwtExpiry: null or sane, for random strings and for JWTs with hostile exp claims', () => {
		const jwt = fc
			.tuple(fc.oneof(hostileValue, fc.dictionary(fc.string(), fc.anything())), fc.string(), fc.boolean())
			.map(([exp, sig, wrap]) => {
				const payload = wrap ? { exp, iss: 'fauth-server' } : exp;
				let json: string;
				try {
					json = JSON.stringify(payload) ?? 'null';
				} catch {
					json = '{}';
				}
				return `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(json).toString('base64url')}.${sig}`;
			});
		fc.assert(
			fc.property(fc.oneof(fc.string(), jwt, fc.constant('a.b.c'), fc.constant('..')), (token) => {
				const now = Date.now();
				const result = outcome(() => jwtExpiry(token, now));
				expect(result.ok).toBe(true);
				if (result.ok) expectSaneExpiry(result.value, now);
			}),
			RUNS,
		);
	});

	test('a JWT exp is honoured when sane', () => {
		fc.assert(
			fc.property(fc.integer({ min: 60, max: 300 * 24 * 3600 }), (seconds) => {
				const now = Date.now();
				const exp = Math.floor(now / 1000) + seconds;
				const token = `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;
				expect(jwtExpiry(token, now)).toBe(exp * 1000);
			}),
			RUNS,
		);
	});

	test('renewalWindow: between 0 and min(maxSkew, 10 % of the lifetime) for any real lifetime', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 4_000_000_000_000 }),
				fc.integer({ min: 0, max: YEAR_MS }),
				fc.integer({ min: 0, max: 24 * 3600 * 1000 }),
				(issuedAt, lifetime, maxSkew) => {
					const window = renewalWindow(issuedAt, issuedAt + lifetime, maxSkew);
					expect(Number.isFinite(window)).toBe(true);
					expect(window).toBeGreaterThanOrEqual(0);
					expect(window).toBeLessThanOrEqual(maxSkew);
					expect(window).toBeLessThanOrEqual(lifetime / 10);
				},
			),
			RUNS,
		);
	});
});

describe('retryAfterMs', () => {
	test('undefined or a non-negative number of milliseconds; never throws', () => {
		fc.assert(
			fc.property(retryAfter, (value) => {
				const result = outcome(() => retryAfterMs(value as string | string[] | undefined));
				expect(result.ok).toBe(true);
				if (!result.ok || result.value === undefined) return;
				expect(typeof result.value).toBe('number');
				expect(Number.isNaN(result.value)).toBe(false);
				expect(result.value).toBeGreaterThanOrEqual(0);
			}),
			RUNS,
		);
	});

	test('seconds and HTTP dates are read', () => {
		expect(retryAfterMs('3')).toBe(3000);
		expect(retryAfterMs(['2', '9'])).toBe(2000);
		const inTen = new Date(Date.now() + 10_000).toUTCString();
		expect(retryAfterMs(inTen)).toBeGreaterThan(8000);
		expect(retryAfterMs(new Date(0).toUTCString())).toBe(0);
		expect(retryAfterMs('soon')).toBeUndefined();
	});
});

describe('redact', () => {
	// Secrets with '[' or ']' can be re-formed by the "[redacted]" marker itself (see the known gap
	// below); everything else is fair game.
	const noMarkerChars = (s: string) => !/[[\]]/.test(s);
	const secret = fc.string({ minLength: 4, maxLength: 40 }).filter(noMarkerChars);
	const anyUnicodeSecret = fc
		.string({ unit: 'binary', minLength: 4, maxLength: 40 })
		.filter((s) => noMarkerChars(s) && s === Buffer.from(s).toString());

	// Found by the property below before the generator excluded '[' and ']': the marker's closing
	// bracket plus the text after an occurrence spells the secret again. Harmless in practice (the
	// reconstituted text is the marker and text that was already visible) but a log scanner flags it;
	// replacing until nothing is left, or a marker without brackets, closes it.
	test('the marker cannot re-form a secret that starts with "]"', () => {
		const out = redact(']]      ', [']   ']);
		expect(out).not.toContain(']   ');
	});

	test('removes every occurrence of each secret and of its base64 form', () => {
		fc.assert(
			fc.property(
				fc.array(fc.oneof(secret, anyUnicodeSecret), { minLength: 1, maxLength: 4 }),
				fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }),
				fc.array(fc.nat(), { maxLength: 12 }),
				(secrets, fillers, picks) => {
					// Text made of fillers interleaved with secrets, raw and base64.
					const forms = secrets.flatMap((s) => [s, Buffer.from(s).toString('base64'), `Basic ${s}`]);
					let text = fillers.join(' ');
					for (const pick of picks) {
						const at = text.length === 0 ? 0 : pick % (text.length + 1);
						text = `${text.slice(0, at)}${forms[pick % forms.length]}${text.slice(at)}`;
					}
					const out = redact(text, secrets);
					for (const s of secrets) {
						expect(out).not.toContain(s);
						expect(out).not.toContain(Buffer.from(s).toString('base64'));
					}
				},
			),
			{ numRuns: Math.max(1000, RUNS.numRuns) },
		);
	});

	test('leaves text without secrets alone, and ignores empty or undefined secrets', () => {
		fc.assert(
			fc.property(fc.string(), (text) => {
				expect(redact(text, [undefined, ''])).toBe(text);
			}),
			RUNS,
		);
	});
});
