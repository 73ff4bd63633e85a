import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { revokeToken } from '../../../credentials/engine';
import { serviceCall } from './common';

/** What Revoke Token does, per credential type; the notice shows the one of the chosen credential. */
const REVOKE_NOTICES: Array<{ types: string[]; text: string }> = [
	{
		types: ['fortiSaseApi', 'fortiLanCloudApi', 'fortiCloudIamApi'],
		text: 'Revokes the access and refresh tokens at FortiCloud IAM and drops them from n8n\'s cache; the next request through the credential logs in again. A pasted access token is not revoked: it expires within an hour.',
	},
	{
		types: ['fortiManagerCloudApi', 'fortiAnalyzerCloudApi'],
		text: 'Logs the JSON-RPC session out (sys/logout), revokes its FortiCloud IAM refresh token and drops both from n8n\'s cache; the next request logs in again.',
	},
	{
		types: ['fortiManagerApi'],
		text: 'Logs the JSON-RPC session out (sys/logout) and drops it from n8n\'s cache, freeing one of the appliance\'s admin sessions. An API key is not revoked: delete it on the appliance.',
	},
	{
		types: ['fortiOsApi'],
		text: 'Logs the administrator session out (DELETE /api/v2/authentication; GET /logout on FortiOS before 6.4.2) and drops it from n8n\'s cache, freeing one of the FortiGate\'s admin sessions. An API key is not revoked: regenerate it on the FortiGate.',
	},
	{
		types: ['fortiClientEmsApi'],
		text: 'Signs the administrator session out (GET /api/v1/auth/signout; EMS Cloud: its logout) and drops it from n8n\'s cache, freeing one of the EMS\'s sessions; the next request signs in again.',
	},
	{
		types: ['fortiMailApi'],
		text: 'Logs the REST API session out and drops it from n8n\'s cache, freeing one of the appliance\'s REST sessions (max-active-session-restful); the next request logs in again.',
	},
	{
		types: ['fortiAdcApi'],
		text: 'Logs the administrator session out (GET /api/user/logout) and drops it from n8n\'s cache; the next request logs in again. An API key is not revoked: delete it on the FortiADC.',
	},
	{
		types: ['fortiSandboxApi'],
		text: 'Logs the JSON-RPC session out (exec /sys/logout) and drops it from n8n\'s cache; the next request logs in again.',
	},
	{
		types: ['fortiCasbApi', 'fortiCwpApi', 'fortiAuthenticatorApi'],
		text: 'This service has no revoke call: the token is only dropped from n8n\'s cache (the next request logs in again) and stays valid at the service until it expires.',
	},
];

export const description: INodeProperties[] = REVOKE_NOTICES.map(({ types, text }, index) => ({
	displayName: text,
	name: `revokeNotice${index}`,
	type: 'notice',
	default: '',
	displayOptions: { show: { operation: ['revokeToken'], service: types } },
}));

/**
 * Revokes the token at the service where there is a revoke call and drops it from the cache, so
 * the next request through the credential logs in again. The output holds no secret.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { service, credentials, helpers } = await serviceCall.call(this, itemIndex);
	const result = await revokeToken(service, credentials, helpers);
	return {
		service: service.label,
		revoked: result.revokedAtService,
		hadToken: result.hadToken,
		message: result.message,
	};
}
