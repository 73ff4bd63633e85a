/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tool code runs in Node, not inside n8n: emulator fixtures are its to use */
/** Fixed settings of `npm start` (scripts/demo.ts), shared with its end-to-end test. */

/** The demo owner. Fake, local-only, and printed on every start. */
export const DEMO_OWNER = {
	email: 'demo@example.com',
	password: 'Fortinet-Demo-2024',
	firstName: 'Fortinet',
	lastName: 'Demo',
} as const;

/** Fixed so the demo folder's credentials stay readable across restarts (local demo data only). */
export const DEMO_ENCRYPTION_KEY = 'fortinet-token-demo-encryption-key-not-a-secret';

export const STATE_FILE = 'demo-state.json';
export const WEBHOOK_PATH = 'fortisase-endpoints';

/** The emulator's listeners from the port base: control, then one per emulated service. */
export function emulatorPorts(portBase: number) {
	return {
		control: portBase,
		iam: portBase + 1,
		casb: portBase + 2,
		cwp: portBase + 3,
		fac: portBase + 4,
		fmg: portBase + 5,
		fmgCloud: portBase + 6,
		fazCloud: portBase + 7,
		fgt: portBase + 8,
		ems: portBase + 9,
		emsCloud: portBase + 10,
		fml: portBase + 11,
		adc: portBase + 12,
		fsa: portBase + 13,
	};
}
export const EMULATOR_PORT_COUNT = 14;

export const WORKFLOW_NAMES = {
	schedule: 'Fortinet demo – scheduled FortiLAN Cloud inventory',
	webhook: 'Fortinet demo – webhook FortiSASE endpoints',
	tokenNode: 'Fortinet demo – token node: get, call, revoke (FortiFlex)',
	everyService: 'Fortinet demo – every service',
	fortiManager: 'Fortinet demo – FortiManager JSON-RPC sessions',
	fortiGate: 'Fortinet demo – FortiGate status and an address object',
} as const;
export type WorkflowKey = keyof typeof WORKFLOW_NAMES;

export type CredentialType =
	| 'fortiSaseApi'
	| 'fortiLanCloudApi'
	| 'fortiCloudIamApi'
	| 'fortiCasbApi'
	| 'fortiCwpApi'
	| 'fortiAuthenticatorApi'
	| 'fortiManagerApi'
	| 'fortiManagerCloudApi'
	| 'fortiAnalyzerCloudApi'
	| 'fortiOsApi'
	| 'fortiClientEmsApi'
	| 'fortiMailApi'
	| 'fortiSandboxApi'
	| 'fortiAdcApi';

/**
 * Fixed ids of the demo credentials, so a workflow pasted from the README finds its credential:
 * n8n matches a pasted node's credential by id only, and the public API cannot choose one, so the
 * demo imports its credentials with these ids before n8n starts.
 */
export const DEMO_CREDENTIAL_IDS: Record<CredentialType, string> = {
	fortiSaseApi: 'fortinetDemoSase',
	fortiLanCloudApi: 'fortinetDemoLanCloud',
	fortiCloudIamApi: 'fortinetDemoCloudIam',
	fortiCasbApi: 'fortinetDemoCasb',
	fortiCwpApi: 'fortinetDemoCwp',
	fortiAuthenticatorApi: 'fortinetDemoAuthenticator',
	fortiManagerApi: 'fortinetDemoManager',
	fortiManagerCloudApi: 'fortinetDemoManagerCloud',
	fortiAnalyzerCloudApi: 'fortinetDemoAnalyzerCloud',
	fortiOsApi: 'fortinetDemoFortiGate',
	fortiClientEmsApi: 'fortinetDemoEms',
	fortiMailApi: 'fortinetDemoMail',
	fortiSandboxApi: 'fortinetDemoSandbox',
	fortiAdcApi: 'fortinetDemoAdc',
};

export interface CredentialRef {
	id: string;
	name: string;
	type: CredentialType;
}

/** What the demo remembers in <demo folder>/demo-state.json (mode 0600). */
export interface DemoState {
	version: 1;
	ownerEmail: string;
	/** Public API key of the owner (local demo only). */
	apiKey: string;
	emulatorPortBase: number;
	credentials: Partial<Record<CredentialType, CredentialRef>>;
	workflows: Partial<Record<WorkflowKey, { id: string; name: string }>>;
	setupComplete: boolean;
	createdAt: string;
}
