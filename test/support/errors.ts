/** What a test needs of an error a call threw. */

/** The error `promise` rejects with; a test failure when it resolves. */
export async function errorOf(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a failure');
}

/** Everything n8n would show of an error: message, description and collected messages. */
export function shown(error: Error): string {
	const record = error as Error & { description?: unknown; messages?: unknown };
	return JSON.stringify([record.message, record.description, record.messages]);
}

/** What a user reads of an error, in one line: message | description | HTTP code | n8n's collected messages. */
export function describeError(error: Error): string {
	const record = error as Error & { description?: unknown; httpCode?: unknown; messages?: unknown };
	const messages = Array.isArray(record.messages) ? record.messages.map(String) : [];
	return [record.message, String(record.description ?? ''), String(record.httpCode ?? ''), ...messages].join(' | ');
}

/** 'OK' when `promise` resolves, else 'ERR ' and the error as `describeError` gives it: for calls that may succeed. */
export async function outcomeOf(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (error) {
		return `ERR ${describeError(error as Error)}`;
	}
	return 'OK';
}

/**
 * Everything n8n shows or stores of an error, its own enumerable properties included: stricter
 * than `shown` for "no secret anywhere" checks, looser to match against.
 */
export function shownText(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const record = error as Error & { description?: unknown; messages?: unknown };
	let own = '';
	try {
		own = JSON.stringify(error, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
	} catch {
		own = '[unserializable]';
	}
	return [record.message, String(record.description ?? ''), JSON.stringify(record.messages ?? []), own].join(' | ');
}

/** `describeError` of the error `promise` rejects with; a test failure when it resolves. */
export async function messageOf(promise: Promise<unknown>): Promise<string> {
	return describeError(await errorOf(promise));
}
