/**
 * One fresh emulator account per test, and the matching credential data as n8n would hand it to
 * the node (property defaults applied, hidden token fields empty).
 */
import { randomBytes } from 'crypto';
import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestMethods } from 'n8n-workflow';

import { FortiAuthenticatorApi } from '../../credentials/FortiAuthenticatorApi.credentials';
import { FortiCasbApi } from '../../credentials/FortiCasbApi.credentials';
import { FortiCloudIamApi } from '../../credentials/FortiCloudIamApi.credentials';
import { FortiCwpApi } from '../../credentials/FortiCwpApi.credentials';
import { FortiLanCloudApi } from '../../credentials/FortiLanCloudApi.credentials';
import { FortiSaseApi } from '../../credentials/FortiSaseApi.credentials';
import { userCounters } from '../emulator';
import type { Counters, EmulatedService, Emulator } from '../emulator';
import { n8nHelpers, StoredCredential } from '../support/n8n';

export type ServiceType =
	| 'fortiSaseApi'
	| 'fortiLanCloudApi'
	| 'fortiCloudIamApi'
	| 'fortiCasbApi'
	| 'fortiCwpApi'
	| 'fortiAuthenticatorApi';

export const SERVICE_TYPES: ServiceType[] = [
	'fortiSaseApi',
	'fortiLanCloudApi',
	'fortiCloudIamApi',
	'fortiCasbApi',
	'fortiCwpApi',
	'fortiAuthenticatorApi',
];

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

let counter = 0;

function unique(prefix: string): string {
	counter += 1;
	return `${prefix}-${counter}-${randomBytes(4).toString('hex')}`;
}

function withDefaults(type: ICredentialType, data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	return new StoredCredential(type, data).load();
}

export interface FixtureOptions {
	/** FortiAuthenticator: trust via "Ignore SSL Issues" instead of the CA certificate. */
	insecureTls?: boolean;
}

/** Registers a fresh account at the emulator and returns the credential for it. */
export function fixture(emulator: Emulator, type: ServiceType, options: FixtureOptions = {}): Fixture {
	const { urls, control } = emulator;
	const password = `pw-${randomBytes(8).toString('hex')}`;
	const iam = (label: string, clientId: string, lifetime: number, resource: Fixture['resource'], credentialType: ICredentialType, extra: ICredentialDataDecryptedObject): Fixture => {
		const username = unique('api-user');
		control.addUser('iam', { username, password });
		return {
			type,
			label,
			emulated: 'iam',
			userKey: `${username}/${clientId}`,
			secret: password,
			credentialType,
			data: withDefaults(credentialType, { username, password, authUrl: urls.iam, ...extra }),
			lifetime,
			scope: 'read write',
			resource,
		};
	};
	switch (type) {
		case 'fortiSaseApi':
			return iam('FortiSASE', 'FortiSASE', 3600, { method: 'GET', url: `${urls.iam}/resource-api/v2/endpoints` }, new FortiSaseApi(), {
				authMethod: 'apiUser',
			});
		case 'fortiLanCloudApi':
			return iam('FortiLAN Cloud', 'fortilancloud', 14400, { method: 'GET', url: `${urls.iam}/api/v1/switches` }, new FortiLanCloudApi(), {});
		case 'fortiCloudIamApi':
			return iam(
				'FortiCloud IAM',
				'flexvm',
				3600,
				{ method: 'POST', url: `${urls.iam}/ES/api/fortiflex/v2/programs/list` },
				new FortiCloudIamApi(),
				{ service: 'fortiFlex' },
			);
		case 'fortiCasbApi': {
			const username = `${unique('casb')}@example.com`;
			control.addUser('casb', { username, password });
			return {
				type,
				label: 'FortiCASB',
				emulated: 'casb',
				userKey: username,
				secret: password,
				credentialType: new FortiCasbApi(),
				data: withDefaults(new FortiCasbApi(), { authMethod: 'password', username, password, baseUrl: urls.casb }),
				lifetime: 3600,
				scope: null,
				resource: { method: 'GET', url: `${urls.casb}/api/v1/resourceURLMap` },
			};
		}
		case 'fortiCwpApi': {
			// The emulator keys API-credential accounts by the first 8 characters: make them unique.
			const apiCredential = `${randomBytes(4).toString('hex')}-${randomBytes(12).toString('hex')}`;
			control.addUser('cwp', { apiCredential });
			return {
				type,
				label: 'FortiCWP',
				emulated: 'cwp',
				userKey: `credential:${apiCredential.slice(0, 8)}`,
				secret: apiCredential,
				credentialType: new FortiCwpApi(),
				data: withDefaults(new FortiCwpApi(), { authMethod: 'apiCredential', apiSecret: apiCredential, baseUrl: urls.cwp }),
				lifetime: 3600,
				scope: null,
				resource: { method: 'GET', url: `${urls.cwp}/api/v1/resourceURLMap` },
			};
		}
		case 'fortiAuthenticatorApi': {
			const username = unique('fac-admin');
			control.addUser('fac', { username, password });
			const tls: ICredentialDataDecryptedObject = options.insecureTls ? { ignoreSSLIssues: true } : { caCertificate: emulator.caCertificate };
			return {
				type,
				label: 'FortiAuthenticator',
				emulated: 'fac',
				userKey: username,
				secret: password,
				credentialType: new FortiAuthenticatorApi(),
				data: withDefaults(new FortiAuthenticatorApi(), { baseUrl: urls.fac, username, password, ...tls }),
				lifetime: null,
				scope: 'read',
				resource: { method: 'GET', url: `${urls.fac}/api/fabric/device/status` },
			};
		}
	}
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
