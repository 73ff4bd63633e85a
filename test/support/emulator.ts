import type { EngineSettings } from '../../credentials/engine/settings';
import { resetEngine } from '../../credentials/engine/testing';
import { startEmulator } from '../emulator';
import type { Emulator, EmulatorOptions } from '../emulator';

export interface EmulatorSuite {
	/** How the suite's emulator starts (e.g. FortiLAN's login limit off). */
	emulator?: EmulatorOptions;
	/** The engine settings every test of the suite starts from, on top of the defaults. */
	settings?: Partial<EngineSettings>;
}

/**
 * The set-up every emulator-backed suite shares: one emulator for the file; before each test a
 * fresh engine (empty cache, default settings plus the suite's) and no fault left over; after the
 * file, default settings and the emulator closed. Returns the emulator: a stand-in that forwards
 * to it once `beforeAll` has started it, so suites keep writing `emulator.urls…` at top level.
 */
export function useEmulator(suite: EmulatorSuite = {}): Emulator {
	let started: Emulator | undefined;
	beforeAll(async () => {
		started = await startEmulator(suite.emulator);
	});
	afterAll(async () => {
		resetEngine();
		await started?.close();
	});
	beforeEach(() => {
		resetEngine(suite.settings);
		started?.control.clearFaults();
	});
	return new Proxy({} as Emulator, {
		get(_stand, key) {
			if (!started) throw new Error('the emulator is started in beforeAll: use it inside a test or a hook');
			return Reflect.get(started, key, started) as unknown;
		},
	});
}
