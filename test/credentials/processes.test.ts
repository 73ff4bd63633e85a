/**
 * Several n8n processes on one identity (queue-mode workers): each has its own engine (own module
 * registry, own cache) and they share only the credential n8n stores, which every execution loads
 * afresh — as in n8n, where the database is the one thing workers share with a credential. Requests
 * go through n8n-core's real requestWithAuthentication against the emulator (FortiCloud IAM: one
 * active token per API user, refresh tokens rotate).
 */
import type { ICredentialType } from 'n8n-workflow';

import { startEmulator, userCounters } from '../emulator';
import type { Emulator } from '../emulator';
import { client, iamLogin } from '../emulator/helpers';
import { credentialTypeOn, Execution, StoredCredential } from '../support/n8n';
import { caseOf } from '../support/services';
import type { TestUser } from '../support/services';
import { sleep } from '../support/time';

jest.setTimeout(120_000);

const lan = caseOf('fortiLanCloudApi');
let emulator: Emulator;
let user: TestUser;

beforeAll(async () => {
	emulator = await startEmulator({ rateLimits: { fortilancloud: null } });
});

afterAll(async () => await emulator.close());

afterEach(() => {
	emulator.control.clearFaults();
	emulator.control.setLifetime('fortilancloud', lan.lifetime ?? 14_400);
});

/** One n8n process: the package loaded in its own module registry, on the shared stored credential. */
function process(shared: StoredCredential): StoredCredential {
	let type: ICredentialType | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		type = credentialTypeOn(require('../../credentials/engine') as typeof import('../../credentials/engine'), lan);
	});
	return shared.seenBy(type!);
}

function seen() {
	return userCounters(emulator.control.stats(), 'iam', lan.userKey(user));
}

async function outcomes(runs: Array<Promise<unknown>>): Promise<string[]> {
	const settled = await Promise.allSettled(runs);
	return settled.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
}

let workerA: StoredCredential;
let workerB: StoredCredential;

beforeEach(async () => {
	user = lan.newUser(emulator);
	const shared = new StoredCredential(lan.credential(), lan.data(emulator, user));
	workerA = process(shared);
	workerB = process(shared);
	// Both workers run on the token the first one obtained and stored.
	await new Execution(workerA).request(lan.resource(emulator));
	await new Execution(workerB).request(lan.resource(emulator));
	expect(seen()).toMatchObject({ logins: 1, refreshes: 0, apiRejected: 0 });
});

test('a burst in both workers when the token dies: no failed execution, at most one renewal per worker', async () => {
	// Every execution loaded the credential before the death: nothing newer can reach either worker.
	const executions = [...Array.from({ length: 20 }, () => new Execution(workerA)), ...Array.from({ length: 20 }, () => new Execution(workerB))];
	emulator.control.expireAll('iam');
	// A real API takes a while: a request is judged when it is answered, 300 ms after it was sent.
	emulator.control.injectFault({ service: 'iam', endpoint: 'resource', count: 200, fault: { type: 'delay', ms: 300 } });
	const before = seen();
	const errors = await outcomes(executions.map(async (execution) => await execution.request(lan.resource(emulator))));
	const after = seen();
	expect(errors).toEqual([]);
	expect(after.logins + after.refreshes - (before.logins + before.refreshes)).toBeLessThanOrEqual(2);
	expect(after.apiAccepted - before.apiAccepted).toBe(40);
});

test('when the other worker starts executions meanwhile, it adopts the stored token: one renewal for both', async () => {
	emulator.control.expireAll('iam');
	const before = seen();
	// Worker A's burst fails on the dead token and renews; worker B keeps starting executions, each
	// loading the credential as stored at that moment.
	const burst = Array.from({ length: 10 }, async () => await new Execution(workerA).request(lan.resource(emulator)));
	const stream = (async () => {
		const runs: Array<Promise<unknown>> = [];
		for (let n = 0; n < 40; n++) {
			runs.push(new Execution(workerB).request(lan.resource(emulator)));
			await sleep(100);
		}
		return await outcomes(runs);
	})();
	const errors = [...(await outcomes(burst)), ...(await stream)];
	const after = seen();
	expect(errors).toEqual([]);
	expect(after.logins + after.refreshes - (before.logins + before.refreshes)).toBe(1);
	expect(new Set(after.authorizations.slice(-10)).size).toBe(1);
});

test('a slow API and a login from outside in the middle of a wave: no failed execution', async () => {
	// Requests take 6 s; the outside login kills the token while all 20 are in flight in both workers.
	// A login after it must not kill the token the other worker's resends carry.
	emulator.control.injectFault({ service: 'iam', endpoint: 'resource', count: 200, fault: { type: 'delay', ms: 6000 } });
	const executions = [...Array.from({ length: 10 }, () => new Execution(workerA)), ...Array.from({ length: 10 }, () => new Execution(workerB))];
	const before = seen();
	const runs = executions.map(async (execution) => await execution.request(lan.resource(emulator)));
	await sleep(3000);
	expect((await iamLogin(client(), emulator, 'fortilancloud', user)).status).toBe(200);
	const errors = await outcomes(runs);
	const after = seen();
	expect(errors).toEqual([]);
	// The outside login, then at most one per worker.
	expect(after.logins + after.refreshes - (before.logins + before.refreshes)).toBeLessThanOrEqual(3);
	expect(after.apiAccepted - before.apiAccepted).toBe(20);
});

test('a token renewed ahead of expiry is the one stored: a restarted worker makes no token call', async () => {
	emulator.control.setLifetime('fortilancloud', 10);
	emulator.control.expireAll('iam');
	await new Execution(workerA).request(lan.resource(emulator));
	// Within the last 10 % of the 10-second lifetime: the next request renews first.
	await sleep(9_200);
	await new Execution(workerA).request(lan.resource(emulator));
	const active = emulator.control.activeToken('iam', lan.userKey(user));
	expect(workerA.data.sessionToken).toBe(active);
	const restarted = process(workerA);
	const before = seen();
	await new Execution(restarted).request(lan.resource(emulator));
	expect(seen()).toMatchObject({ logins: before.logins, refreshes: before.refreshes, apiRejected: before.apiRejected });
});
