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
