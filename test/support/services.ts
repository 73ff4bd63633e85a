/* eslint-disable @n8n/community-nodes/no-deprecated-workflow-functions, @n8n/community-nodes/no-restricted-globals -- test and tool code runs in Node, not inside n8n: n8n's legacy request options, Node globals are its to use */
/**
 * Every credential type, each pointed at the emulator — SERVICE_CASES the types whose dead token
 * or session is answered with an HTTP error (Bearer tokens, the appliances' sessions in headers),
 * SESSION_CASES the JSON-RPC session types — : how to fill the credential for a fresh emulator
 * user, which protected call proves the token, and where the emulator counts it. Every per-service
 * suite (credentials, node, faults, hygiene, bench) runs over these rows: a new product is a row.
 */
import { randomUUID } from 'crypto';

import axios from 'axios';

import type { ICredentialDataDecryptedObject, ICredentialType, IRequestOptions } from 'n8n-workflow';

import { FortiAdcApi } from '../../credentials/FortiAdcApi.credentials';
import { FortiAuthenticatorApi } from '../../credentials/FortiAuthenticatorApi.credentials';
import { FortiCasbApi } from '../../credentials/FortiCasbApi.credentials';
import { FortiClientEmsApi } from '../../credentials/FortiClientEmsApi.credentials';
import { FortiCloudIamApi } from '../../credentials/FortiCloudIamApi.credentials';
import { FortiCwpApi } from '../../credentials/FortiCwpApi.credentials';
import { FortiLanCloudApi } from '../../credentials/FortiLanCloudApi.credentials';
import { FortiAnalyzerCloudApi } from '../../credentials/FortiAnalyzerCloudApi.credentials';
import { FortiMailApi } from '../../credentials/FortiMailApi.credentials';
import { FortiManagerApi } from '../../credentials/FortiManagerApi.credentials';
import { FortiManagerCloudApi } from '../../credentials/FortiManagerCloudApi.credentials';
import { FortiOsApi } from '../../credentials/FortiOsApi.credentials';
import { FortiSandboxApi } from '../../credentials/FortiSandboxApi.credentials';
import { FortiSaseApi } from '../../credentials/FortiSaseApi.credentials';
import type { Emulator, EmulatedService } from '../emulator';

export interface TestUser {
	username: string;
	password: string;
	apiCredential?: string;
}

export interface ServiceCase {
	type: string;
	label: string;
	emulated: EmulatedService;
	credential: () => ICredentialType;
	/** Key of `control.setLifetime`, undefined where tokens never expire. */
	lifetimeKey?: string;
	revokes: boolean;
	/**
	 * Its refresh is a keepalive of the same session (FortiOS): a session killed from outside is
	 * replaced by a login, never refreshed; a session near its idle end is kept alive.
	 */
	keepalive: boolean;
	/**
	 * The engine checks a token it suspects at the service's own API (FortiCASB/FortiCWP
	 * resourceURLMap), so the emulator counts that check among the API calls; FortiCloud IAM checks
	 * at verify_token (counted as tokenChecks), FortiAuthenticator has no check.
	 */
	checkedAtApi: boolean;
	/** The access token lifetime in seconds the emulator gives; null for "never expires". */
	lifetime: number | null;
	/** The scope the emulator's token answer carries, null where it has none. */
	scope: string | null;
	data(emulator: Emulator, user: TestUser): ICredentialDataDecryptedObject;
	/** The emulator's per-user stats key. */
	userKey(user: TestUser): string;
	resource(emulator: Emulator): IRequestOptions;
	/** A fresh account, registered with the emulator. */
	newUser(emulator: Emulator): TestUser;
	/** What the emulator records (`authorizations`) for a request carrying this stored token or session. */
	carried(token: string): string;
	/**
	 * Its keepalive is its check: a harmless read, which the emulator counts among `tokenChecks`,
	 * not `refreshes` (the appliances without a keepalive call of their own).
	 */
	keptAliveBy?: 'check';
	/** The credential fields that tell n8n the token or session lasts `seconds` (appliances' idle timeout). */
	lifetimeData?(seconds: number): ICredentialDataDecryptedObject;
}

const bearer = (token: string): string => `Bearer ${token}`;

/**
 * A session the engine holds as the Cookie header's value, and (FortiADC, EMS Cloud) a token as
 * the pseudo-cookie `@authorization`: as the emulator records what it received.
 */
function cookieSession(scheme: 'Bearer' | '' = 'Bearer'): (session: string) => string {
	return (session) => {
		const parts = session.split('; ');
		const token = parts.find((part) => part.startsWith('@authorization='))?.slice('@authorization='.length);
		const cookies = parts.filter((part) => !part.startsWith('@authorization=')).join('; ');
		return [token !== undefined ? `${scheme ? `${scheme} ` : ''}${token}` : undefined, cookies ? `Cookie ${cookies}` : undefined].filter(Boolean).join(' | ');
	};
}

/** An appliance whose administrator session travels in cookies (and a token), idle after `lifetime` seconds. */
function applianceCase(
	type: string,
	label: string,
	emulated: 'ems' | 'fml' | 'adc',
	credential: () => ICredentialType,
	lifetime: number,
	resourcePath: string,
	extra: ICredentialDataDecryptedObject,
): ServiceCase {
	return {
		type,
		label,
		emulated,
		credential,
		lifetime,
		scope: null,
		lifetimeKey: emulated,
		revokes: true,
		keepalive: true,
		keptAliveBy: 'check',
		checkedAtApi: false,
		data: (emulator, user) => ({
			baseUrl: emulator.urls[emulated],
			username: user.username,
			password: user.password,
			ignoreSSLIssues: false,
			caCertificate: emulator.caCertificate,
			...extra,
		}),
		userKey: (user) => user.username,
		resource: (emulator) => ({ uri: `${emulator.urls[emulated]}${resourcePath}`, method: 'GET', json: true }),
		newUser(emulator) {
			const user = { username: unique('admin'), password: unique('pw'), apiCredential: unique('key') };
			emulator.control.addUser(emulated, user);
			return user;
		},
		carried: cookieSession(),
		lifetimeData: (seconds) => ({ idleMinutes: seconds / 60 }),
	};
}

let counter = 0;
function unique(prefix: string): string {
	counter++;
	return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

function iamCase(
	type: string,
	label: string,
	clientId: string,
	credential: () => ICredentialType,
	resourcePath: string,
	method: 'GET' | 'POST',
	extra: ICredentialDataDecryptedObject,
	lifetime = 3600,
): ServiceCase {
	return {
		type,
		label,
		emulated: 'iam',
		credential,
		lifetime,
		scope: 'read write',
		lifetimeKey: clientId,
		revokes: true,
		keepalive: false,
		checkedAtApi: false,
		data: (emulator, user) => ({ username: user.username, password: user.password, authUrl: emulator.urls.iam, ...extra }),
		userKey: (user) => `${user.username}/${clientId}`,
		resource: (emulator) => ({ uri: `${emulator.urls.iam}${resourcePath}`, method, json: true }),
		carried: bearer,
		newUser(emulator) {
			const user = { username: unique('API'), password: unique('pw') };
			emulator.control.addUser('iam', user);
			return user;
		},
	};
}

function cnpCase(
	type: string,
	label: string,
	emulated: 'casb' | 'cwp',
	credential: () => ICredentialType,
	authMethod: 'password' | 'apiCredential',
): ServiceCase {
	return {
		type,
		label,
		emulated,
		credential,
		lifetime: 3600,
		scope: null,
		lifetimeKey: emulated,
		revokes: false,
		keepalive: false,
		checkedAtApi: true,
		data: (emulator, user) => ({
			authMethod,
			username: user.username,
			password: user.password,
			apiSecret: user.apiCredential ?? '',
			baseUrl: emulator.urls[emulated],
		}),
		userKey: (user) => (authMethod === 'apiCredential' ? `credential:${(user.apiCredential ?? '').slice(0, 8)}` : user.username),
		resource: (emulator) => ({ uri: `${emulator.urls[emulated]}/api/v1/resourceURLMap`, method: 'GET', json: true }),
		carried: bearer,
		newUser(emulator) {
			const user = { username: `${unique('user')}@example.com`, password: unique('pw'), apiCredential: randomUUID() };
			emulator.control.addUser(emulated, user);
			return user;
		},
	};
}

export const SERVICE_CASES: ServiceCase[] = [
	iamCase('fortiSaseApi', 'FortiSASE', 'FortiSASE', () => new FortiSaseApi(), '/resource-api/v2/endpoints', 'GET', {
		authMethod: 'apiUser',
		clientId: 'FortiSASE',
	}),
	iamCase('fortiLanCloudApi', 'FortiLAN Cloud', 'fortilancloud', () => new FortiLanCloudApi(), '/api/v1/switches', 'GET', {
		clientId: 'fortilancloud',
	}, 14400),
	iamCase('fortiCloudIamApi', 'FortiCloud IAM', 'flexvm', () => new FortiCloudIamApi(), '/ES/api/fortiflex/v2/programs/list', 'POST', {
		service: 'fortiFlex',
	}),
	cnpCase('fortiCasbApi', 'FortiCASB', 'casb', () => new FortiCasbApi(), 'password'),
	cnpCase('fortiCwpApi', 'FortiCWP', 'cwp', () => new FortiCwpApi(), 'apiCredential'),
	{
		type: 'fortiAuthenticatorApi',
		label: 'FortiAuthenticator',
		emulated: 'fac',
		credential: () => new FortiAuthenticatorApi(),
		lifetime: null,
		scope: 'read',
		revokes: false,
		keepalive: false,
		checkedAtApi: false,
		data: (emulator, user) => ({
			baseUrl: emulator.urls.fac,
			username: user.username,
			password: user.password,
			ignoreSSLIssues: false,
			caCertificate: emulator.caCertificate,
		}),
		userKey: (user) => user.username,
		resource: (emulator) => ({ uri: `${emulator.urls.fac}/api/fabric/device/status`, method: 'GET', json: true }),
		carried: bearer,
		newUser(emulator) {
			const user = { username: unique('admin'), password: unique('pw') };
			emulator.control.addUser('fac', user);
			return user;
		},
	},
	{
		// An administrator session (session key as Bearer; FortiOS 7.4). Cookies, CSRF, API keys and
		// the other firmware flows: test/credentials/fortios.test.ts.
		type: 'fortiOsApi',
		label: 'FortiGate (FortiOS)',
		emulated: 'fgt',
		credential: () => new FortiOsApi(),
		lifetime: 300,
		scope: null,
		lifetimeKey: 'fgt',
		revokes: true,
		keepalive: true,
		checkedAtApi: true,
		data: (emulator, user) => ({
			baseUrl: emulator.urls.fgt,
			authentication: 'session',
			username: user.username,
			password: user.password,
			ignoreSSLIssues: false,
			caCertificate: emulator.caCertificate,
		}),
		userKey: (user) => user.username,
		resource: (emulator) => ({ uri: `${emulator.urls.fgt}/api/v2/cmdb/firewall/address`, method: 'GET', json: true }),
		carried: bearer,
		newUser(emulator) {
			const user = { username: unique('admin'), password: unique('pw') };
			emulator.control.addUser('fgt', user);
			return user;
		},
	},
	// Sessions in cookies with a CSRF header and a Referer (EMS Cloud: test/credentials/appliances.test.ts).
	applianceCase('fortiClientEmsApi', 'FortiClient EMS', 'ems', () => new FortiClientEmsApi(), 1800, '/api/v1/endpoints/index', { deployment: 'onPremises' }),
	// A gone session is answered 403 (FortiRecorder's and FortiVoice's logins: appliances.test.ts).
	applianceCase('fortiMailApi', 'FortiMail / FortiRecorder / FortiVoice', 'fml', () => new FortiMailApi(), 300, '/api/v1/Domain/', { product: 'fortiMail' }),
	// A token as Bearer together with a cookie.
	applianceCase('fortiAdcApi', 'FortiADC', 'adc', () => new FortiAdcApi(), 1800, '/api/load_balance_virtual_server', { authentication: 'session' }),
];

/**
 * FortiClient EMS Cloud: the EMS credential's other deployment, an access key whose session_id goes
 * as the bare Authorization header. Not a row of SERVICE_CASES (their wrong-secret tests change
 * the password): its own tests use it (test/credentials/appliances.test.ts, the package e2e).
 */
export function emsCloudCase(): ServiceCase {
	const ems = caseOf('fortiClientEmsApi');
	return {
		...ems,
		label: 'FortiClient EMS Cloud',
		emulated: 'emsCloud',
		lifetimeKey: 'emsCloud',
		data: (emulator, user) => ({ deployment: 'cloud', cloudUrl: emulator.urls.emsCloud, accountEmail: user.username, apiKey: user.apiCredential ?? '' }),
		resource: (emulator) => ({ uri: `${emulator.urls.emsCloud}/api/public/v1/endpoints/`, method: 'GET', json: true }),
		newUser(emulator) {
			const user = { username: `${unique('account')}@example.com`, password: unique('unused'), apiCredential: unique('access-key') };
			emulator.control.addUser('emsCloud', user);
			return user;
		},
		carried: cookieSession(''),
		lifetimeData: undefined,
	};
}

/**
 * The three JSON-RPC session credential types (FortiManager / FortiAnalyzer): the session goes into
 * JSON-RPC bodies, and a dead one is answered HTTP 200 with code -11, so they have their own suite
 * (test/credentials/sessions.test.ts) rather than the Bearer cases' 401 expectations.
 */
export interface SessionCase {
	type: string;
	label: string;
	/** Where the sessions live (the emulator listener), and its stats key for a user. */
	emulated: 'fmg' | 'fmgCloud' | 'fazCloud' | 'fsa';
	/**
	 * Its check is an ordinary read (FortiSandbox: `get /sys/status`), counted among the API calls,
	 * that reports no time left: FortiManager's `get /sys/session` is counted as a token check.
	 */
	checkedAtApi: boolean;
	credential: () => ICredentialType;
	/** FortiCloud IAM client_id of a cloud instance; undefined on premises. */
	clientId?: string;
	data(emulator: Emulator, user: TestUser, extra?: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject;
	/** The instance or appliance URL. */
	url(emulator: Emulator): string;
	newUser(emulator: Emulator): TestUser;
}

function cloudSessionCase(type: string, label: string, emulated: 'fmgCloud' | 'fazCloud', clientId: string, credential: () => ICredentialType): SessionCase {
	return {
		type,
		label,
		emulated,
		credential,
		clientId,
		checkedAtApi: false,
		data: (emulator, user, extra = {}) => ({
			instanceUrl: emulator.urls[emulated],
			authUrl: emulator.urls.iam,
			username: user.username,
			password: user.password,
			...extra,
		}),
		url: (emulator) => emulator.urls[emulated],
		newUser(emulator) {
			const user = { username: unique('API'), password: unique('pw') };
			emulator.control.addUser('iam', user);
			return user;
		},
	};
}

export const SESSION_CASES: SessionCase[] = [
	{
		type: 'fortiManagerApi',
		label: 'FortiManager / FortiAnalyzer',
		emulated: 'fmg',
		credential: () => new FortiManagerApi(),
		checkedAtApi: false,
		data: (emulator, user, extra = {}) => ({
			baseUrl: emulator.urls.fmg,
			authMethod: 'password',
			username: user.username,
			password: user.password,
			ignoreSSLIssues: false,
			caCertificate: emulator.caCertificate,
			...extra,
		}),
		url: (emulator) => emulator.urls.fmg,
		newUser(emulator) {
			const user = { username: unique('admin'), password: unique('pw'), apiCredential: unique('key') };
			emulator.control.addUser('fmg', user);
			return user;
		},
	},
	cloudSessionCase('fortiManagerCloudApi', 'FortiManager Cloud', 'fmgCloud', 'FortiManager', () => new FortiManagerCloudApi()),
	cloudSessionCase('fortiAnalyzerCloudApi', 'FortiAnalyzer Cloud', 'fazCloud', 'FortiAnalyzer', () => new FortiAnalyzerCloudApi()),
	{
		// JSON-RPC whose result is one object (its PaaS token login: test/credentials/appliances.test.ts).
		type: 'fortiSandboxApi',
		label: 'FortiSandbox',
		emulated: 'fsa',
		credential: () => new FortiSandboxApi(),
		checkedAtApi: true,
		data: (emulator, user, extra = {}) => ({
			baseUrl: emulator.urls.fsa,
			authentication: 'password',
			username: user.username,
			password: user.password,
			ignoreSSLIssues: false,
			caCertificate: emulator.caCertificate,
			...extra,
		}),
		url: (emulator) => emulator.urls.fsa,
		newUser(emulator) {
			const user = { username: unique('admin'), password: unique('pw'), apiCredential: unique('token') };
			emulator.control.addUser('fsa', user);
			return user;
		},
	},
];

/** The status code of a JSON-RPC answer: of its first result, or of its one result (FortiSandbox). */
export function rpcCode(answer: unknown): number {
	const result = (answer as { result: Array<{ status: { code: number } }> | { status: { code: number } } }).result;
	return (Array.isArray(result) ? result[0] : result).status.code;
}

/** A JSON-RPC call as a user writes it in the HTTP Request node: no session in the body. */
export function jsonRpcRequest(url: string, rpcUrl = '/sys/status'): IRequestOptions {
	return { uri: `${url}/jsonrpc`, method: 'POST', body: { id: 1, method: 'get', params: [{ url: rpcUrl }] }, json: true };
}

/** A ready-made FortiSASE access token, as a user would generate one to paste into the credential. */
export async function issueSaseToken(emulator: Emulator, user: TestUser): Promise<string> {
	const login = await axios.post(`${emulator.urls.iam}/api/v1/oauth/token/`, {
		username: user.username,
		password: user.password,
		client_id: 'FortiSASE',
		client_secret: '',
		grant_type: 'password',
	});
	return String(login.data.access_token);
}

/** A secret must never show up in text the user or a log sees. */
export function secretsOf(user: TestUser, ...tokens: Array<unknown>): string[] {
	return [user.password, user.apiCredential, ...tokens].filter(
		(value): value is string => typeof value === 'string' && value.length >= 6,
	);
}

/** The test case of one credential type. */
export function caseOf(type: string): ServiceCase {
	const found = SERVICE_CASES.find((service) => service.type === type);
	if (!found) throw new Error(`no service case for ${type}`);
	return found;
}

/** Every credential type the package ships, each with its row above. */
export const CREDENTIAL_TYPES: string[] = [...new Set([...SERVICE_CASES, ...SESSION_CASES].map((row) => row.type))];
