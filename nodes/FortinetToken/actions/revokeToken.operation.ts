import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { revokeToken } from '../../../credentials/engine';
import { serviceCall } from './common';

export const description: INodeProperties[] = [
	{
		displayName:
			'FortiCloud IAM services (FortiSASE, FortiLAN Cloud, FortiCloud IAM) revoke the token at the service, and FortiManager / FortiAnalyzer sessions are logged out (sys/logout). FortiCASB, FortiCWP and FortiAuthenticator have no revoke call: the token is only dropped from n8n\'s cache.',
		name: 'revokeNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['revokeToken'] } },
	},
];

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
