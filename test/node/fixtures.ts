/**
 * One fresh emulator account per test, from the one table of services (test/support/services.ts),
 * and the matching credential data as n8n would hand it to the node (property defaults applied,
 * hidden token fields empty).
 */
import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestMethods } from 'n8n-workflow';

import { userCounters } from '../emulator';
import type { Counters, EmulatedService, Emulator } from '../emulator';
import { n8nHelpers, StoredCredential } from '../support/n8n';
import { caseOf, SERVICE_CASES } from '../support/services';

/**
 * The Bearer-token types (test/support/services.ts); the JSON-RPC session types have
 * test/node/sessions.test.ts, the FortiGate session (a keepalive, not a refresh grant) test/credentials/fortios.test.ts.
 */
export type ServiceType = string;

export const SERVICE_TYPES: ServiceType[] = SERVICE_CASES.filter((service) => !service.keepalive).map((service) => service.type);

export interface Fixture {
	type: ServiceType;
	label: string;
	emulated: EmulatedService;
	/** The emulator's key for this account's counters and active token. */
	userKey: string;
	/** The secret of the account (password or API credential), to prove no message leaks it. */
	secret: string;
	credentialType: ICredentialType;
	/** Credential data with n8n's defaults applied, as getCredentials returns it. */
	data: ICredentialDataDecryptedObject;
	/** Access token lifetime in seconds the emulator gives; null for "never expires". */
	lifetime: number | null;
	scope: string | null;
	/** A protected resource that accepts this account's token. */
	resource: { method: IHttpRequestMethods; url: string };
}

export interface FixtureOptions {
	/** FortiAuthenticator: trust via "Ignore SSL Issues" instead of the CA certificate. */
	insecureTls?: boolean;
}

/** Registers a fresh account at the emulator and returns the credential for it, as n8n hands it to a node. */
export function fixture(emulator: Emulator, type: ServiceType, options: FixtureOptions = {}): Fixture {
	const service = caseOf(type);
	const user = service.newUser(emulator);
	const credentialType = service.credential();
	const tls: ICredentialDataDecryptedObject = options.insecureTls ? { ignoreSSLIssues: true, caCertificate: '' } : {};
	const resource = service.resource(emulator);
	const apiCredential = service.data(emulator, user).authMethod === 'apiCredential';
	return {
		type,
		label: service.label,
		emulated: service.emulated,
		userKey: service.userKey(user),
		secret: apiCredential ? (user.apiCredential ?? '') : user.password,
		credentialType,
		data: new StoredCredential(credentialType, { ...service.data(emulator, user), ...tls }).load(),
		lifetime: service.lifetime,
		scope: service.scope,
		resource: { method: (resource.method ?? 'GET') as IHttpRequestMethods, url: String(resource.uri) },
	};
}

/** What the emulator counted for this account only. */
export function countersOf(emulator: Emulator, f: Fixture): Counters {
	return userCounters(emulator.control.stats(), f.emulated, f.userKey);
}

/** Calls the protected resource with a token directly (no credential layer); returns the HTTP status. */
export async function probe(f: Fixture, accessToken: string): Promise<number> {
	const response = (await n8nHelpers.httpRequest({
		method: f.resource.method,
		url: f.resource.url,
		headers: { Authorization: `Bearer ${accessToken}` },
		body: f.resource.method === 'POST' ? {} : undefined,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		skipSslCertificateValidation: f.emulated === 'fac',
	})) as { statusCode: number };
	return response.statusCode;
}
