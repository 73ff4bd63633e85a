/**
 * Demo logins the emulator knows from the start. Obviously fake; never real credentials.
 * The IAM API user is valid for every known client_id.
 */
export const DEMO_ACCOUNTS = {
	iam: {
		username: 'demo-iam-api-user',
		password: 'demo-iam-password',
	},
	casb: {
		username: 'demo-casb@example.com',
		password: 'demo-casb-password',
		/** FortiCASB-generated API credential, sent as-is after "Basic " */
		apiCredential: 'dec0ca5b-0000-4000-8000-000000000001',
	},
	cwp: {
		username: 'demo-cwp@example.com',
		password: 'demo-cwp-password',
		/** FortiCWP-generated API credential, sent as-is after "Basic " */
		apiCredential: 'dec0c0f0-0000-4000-8000-000000000002',
	},
	fac: {
		username: 'demo-fac-admin',
		password: 'demo-fac-password',
	},
	/** on-premises FortiManager administrator (rpc-permit read-write), and an API-key admin's key */
	fmg: {
		username: 'demo-fmg-admin',
		password: 'demo-fmg-password',
		apiCredential: 'demo-fmg-api-key-0000000000000001',
	},
	/** FortiGate: an administrator who logs in with a password, and a REST API admin's key */
	fgt: {
		username: 'demo-fgt-admin',
		password: 'demo-fgt-password',
		apiCredential: 'demo-fgt-api-key-00000000000001',
	},
	/** FortiClient EMS on premises: an administrator */
	ems: { username: 'demo-ems-admin', password: 'demo-ems-password' },
	/** FortiClient EMS Cloud: the account's e-mail and an access key */
	emsCloud: { username: 'demo-ems@example.com', apiCredential: 'demo-ems-cloud-access-key-0000001' },
	/** FortiMail (FortiRecorder, FortiVoice): a REST API administrator */
	fml: { username: 'demo-fml-admin', password: 'demo-fml-password' },
	/** FortiADC: an administrator, and a REST API key */
	adc: { username: 'demo-adc-admin', password: 'demo-adc-password', apiCredential: 'demo-adc-api-key-000000000000001' },
	/** FortiSandbox: an administrator, and a PaaS API token */
	fsa: { username: 'demo-fsa-admin', password: 'demo-fsa-password', apiCredential: 'demo-fsa-paas-token-00000000001' },
} as const;

export type DemoAccounts = typeof DEMO_ACCOUNTS;
