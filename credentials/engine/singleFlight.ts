/**
 * One piece of work at a time: callers that arrive while it runs share its one pending promise
 * (google-auth-library's `#pendingAccessToken`), and it is forgotten in `finally`, whatever its
 * outcome, so the next caller after it starts a new one.
 */
export class SingleFlight<T> {
	#pending?: Promise<T>;

	get pending(): Promise<T> | undefined {
		return this.#pending;
	}

	/** `work` is an async function: it returns before its `finally` here can run. */
	run(work: () => Promise<T>): Promise<T> {
		if (this.#pending) return this.#pending;
		const pending: Promise<T> = (async () => {
			try {
				return await work();
			} finally {
				// Runs after the assignment below: the first await comes before it.
				this.#pending = undefined;
			}
		})();
		this.#pending = pending;
		return pending;
	}

	/** Waits for the work under way, if any, ignoring its outcome. */
	async settled(): Promise<void> {
		if (this.#pending) await this.#pending.catch(() => undefined);
	}
}

/** Single flights by key (checks of pasted tokens, which have no identity to hold them). */
export class KeyedFlights<T> {
	readonly #flights = new Map<string, Promise<T>>();

	run(key: string, work: () => Promise<T>): Promise<T> {
		const running = this.#flights.get(key);
		if (running) return running;
		const flight = new SingleFlight<T>();
		const pending = flight.run(async () => {
			try {
				return await work();
			} finally {
				this.#flights.delete(key);
			}
		});
		this.#flights.set(key, pending);
		return pending;
	}
}
