/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tool code runs in Node, not inside n8n: Node globals are its to use */
/**
 * The one pause the tests, the emulator and the benchmarks use. `unref`: the timer does not keep
 * the process alive (the emulator's fault delays, so a stopped emulator never holds jest open).
 */
export function sleep(ms: number, options: { unref?: boolean } = {}): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, Math.max(0, ms));
		if (options.unref) timer.unref();
	});
}
