/* eslint-disable @n8n/community-nodes/no-deprecated-workflow-functions -- test and tool code runs in Node, not inside n8n: n8n's legacy request options are its to use */
/**
 * n8n's real request path, loaded in-process: n8n-core's `httpRequest` (what credentials and nodes
 * get as `this.helpers.httpRequest`), its legacy `request`, and its `requestWithAuthentication`
 * (what the HTTP Request node's "Predefined Credential Type" mode calls). Only the credentials
 * store is ours: `StoredCredential` plays n8n's database, and `credentialsHelper` reproduces the
 * cli's CredentialsHelper.preAuthentication/authenticate (n8n 2.8 `credentials-helper.ts`):
 * run the hook when the expirable field is empty or after a failure, persist what it returns only
 * when it contains the expirable field.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INode,
	IRequestOptions,
} from 'n8n-workflow';
// Deep import: n8n-core does not re-export these from its index.
import {
	httpRequest,
	proxyRequestToAxios,
	requestWithAuthentication,
} from 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions';

import type { RequestHelpers } from '../../credentials/engine';

export const n8nHelpers: Required<RequestHelpers> = {
	httpRequest: async (options) => await httpRequest(options),
	request: async (options) => await proxyRequestToAxios(undefined, undefined, undefined, options as IRequestOptions),
};

/** Counts the calls n8n makes to the credential hooks, as the remote side cannot see them. */
export interface HookCounters {
	preAuthentication: number;
	persisted: number;
}

/** One saved credential in "n8n's database": every execution reads a fresh copy of it. */
export class StoredCredential {
	data: ICredentialDataDecryptedObject;

	readonly counters: HookCounters = { preAuthentication: 0, persisted: 0 };

	constructor(
		readonly type: ICredentialType,
		data: ICredentialDataDecryptedObject,
	) {
		// n8n applies property defaults when it reads a credential: hidden fields start as ''.
		const defaults: ICredentialDataDecryptedObject = {};
		for (const property of type.properties) {
			defaults[property.name] = property.default as ICredentialDataDecryptedObject[string];
		}
		this.data = { ...defaults, ...data };
	}

	/** What an execution gets from `getCredentials`: a decrypted copy, loaded once per execution. */
	load(): ICredentialDataDecryptedObject {
		return structuredClone(this.data);
	}

	private get expirableField(): string {
		const field = this.type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!field) throw new Error(`${this.type.name} declares no expirable field`);
		return field.name;
	}

	/** CredentialsHelper.preAuthentication as n8n 2.8 implements it. */
	async preAuthentication(
		credentials: ICredentialDataDecryptedObject,
		expired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const field = this.expirableField;
		const hook = this.type.preAuthentication;
		if (typeof hook !== 'function') return undefined;
		if (credentials[field] !== '' && !expired) return undefined;
		this.counters.preAuthentication++;
		const output = (await hook.call({ helpers: n8nHelpers }, credentials)) as ICredentialDataDecryptedObject;
		if (output[field] === undefined) return undefined;
		this.data = { ...this.data, ...output };
		this.counters.persisted++;
		return Object.assign(credentials, output);
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, options: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const hook = this.type.authenticate;
		if (typeof hook !== 'function') throw new Error(`${this.type.name} has no authenticate function`);
		return await hook(credentials, options);
	}

	/** This saved credential as another n8n process sees it, with `type` from its own copy of the package: one row, read and written by both. */
	seenBy(type: ICredentialType): StoredCredential {
		const view = new StoredCredential(type, {});
		Object.defineProperty(view, 'data', { get: () => this.data, set: (data: ICredentialDataDecryptedObject) => (this.data = data) });
		return view;
	}
}

type Engine = typeof import('../../credentials/engine');

/**
 * A service's credential type whose hooks run on `engine`: a separate copy of the package's engine
 * (its own module instance, so its own cache), as another n8n process loads it.
 */
export function credentialTypeOn(engine: Engine, service: { type: string; credential(): ICredentialType }): ICredentialType {
	const described = engine.SERVICES[service.type];
	return {
		...service.credential(),
		preAuthentication: async function (this: { helpers: RequestHelpers }, credentials: ICredentialDataDecryptedObject) {
			return await engine.preAuthenticate(described, credentials, this.helpers);
		},
		authenticate: async (credentials: ICredentialDataDecryptedObject, request: IHttpRequestOptions) =>
			await engine.authenticate(described, credentials, request),
	} as unknown as ICredentialType;
}

const NODE: INode = {
	id: 'http-request',
	name: 'HTTP Request',
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.2,
	position: [0, 0],
	parameters: {},
	credentials: {},
};

/**
 * One execution of an HTTP Request node in "Predefined Credential Type" mode: n8n-core's real
 * `requestWithAuthentication` (hook on empty token, authenticate, request, and on ANY error the
 * hook again plus one retry). Credentials are loaded once per execution, as n8n does.
 */
export class Execution {
	private readonly credentials: ICredentialDataDecryptedObject;

	constructor(private readonly stored: StoredCredential) {
		this.credentials = stored.load();
	}

	async request(options: IRequestOptions): Promise<unknown> {
		const stored = this.stored;
		const node: INode = { ...NODE, credentials: { [stored.type.name]: { id: '1', name: 'Fortinet' } } };
		const context = {
			helpers: n8nHelpers,
			getNode: () => node,
			getCredentials: async () => this.credentials,
		};
		const additionalData = {
			credentialsHelper: {
				getParentTypes: () => [] as string[],
				preAuthentication: async (
					_helpers: unknown,
					credentials: ICredentialDataDecryptedObject,
					_type: string,
					_node: INode,
					expired: boolean,
				) => await stored.preAuthentication(credentials, expired),
				authenticate: async (credentials: ICredentialDataDecryptedObject, _type: string, requestOptions: IHttpRequestOptions) =>
					await stored.authenticate(credentials, requestOptions),
			},
		};
		// The real function, with the two collaborators n8n's cli would pass.
		const run = requestWithAuthentication as unknown as (
			this: typeof context,
			type: string,
			options: IRequestOptions,
			workflow: undefined,
			node: INode,
			additionalData: object,
		) => Promise<unknown>;
		return await run.call(context, stored.type.name, { ...options }, undefined, node, additionalData);
	}
}
