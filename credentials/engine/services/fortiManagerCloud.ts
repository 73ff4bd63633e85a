import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { baseUrl } from '../fields';
import { fortiManagerCloudSession } from '../protocols/fortiManager';
import type { Connection, ServiceDescription } from '../types';
import { forticloudIamConnection, iamSecretHint } from './forticloudIamConnection';
import { sessionCheckMs } from './fortiManagerConnection';

/** A cloud instance's API user: FortiCloud IAM at `authUrl`, the session at `instanceUrl`. */
function cloudConnection(credentials: ICredentialDataDecryptedObject, label: string, clientId: string): Connection {
	return {
		...forticloudIamConnection(credentials, label, clientId),
		apiUrl: baseUrl(credentials, 'instanceUrl', 'Instance URL', label),
		sessionCheckMs: sessionCheckMs(credentials, label),
	};
}

function cloudService(credentialType: string, label: string, clientId: string): ServiceDescription {
	return {
		credentialType,
		label,
		protocol: fortiManagerCloudSession,
		// The instance only (and the token service for the login).
		apiDomains: [],
		sendsTokenAs: 'jsonRpcSession',
		secretHint: iamSecretHint(label),
		connect: (credentials) => cloudConnection(credentials, label, clientId),
	};
}

export const fortiManagerCloud = cloudService('fortiManagerCloudApi', 'FortiManager Cloud', 'FortiManager');
export const fortiAnalyzerCloud = cloudService('fortiAnalyzerCloudApi', 'FortiAnalyzer Cloud', 'FortiAnalyzer');
