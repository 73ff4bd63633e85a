import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getToken, sessionHeadersFor } from '../../../credentials/engine';
import { includeRefreshTokenOption, serviceCall, tokenOutput } from './common';

interface GetTokenOptions {
	forceNewLogin?: boolean;
	includeRefreshToken?: boolean;
}

export const description: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['getToken'] } },
		options: [
			{
				displayName: 'Force New Login',
				name: 'forceNewLogin',
				type: 'boolean',
				default: false,
				description:
					'Whether to log in again even when the cached token is still valid. Services with one active token per user invalidate the previous token.',
			},
			includeRefreshTokenOption,
		],
	},
];

/**
 * The token the credential layer uses for this credential (the engine's process-wide cache): no
 * call to the service while it is valid, a refresh or a login when it is not, or a new login on request.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { service, credentials, helpers } = await serviceCall.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as GetTokenOptions;
	const { token, fromCache } = await getToken(service, credentials, helpers, {
		forceNewLogin: options.forceNewLogin === true,
	});
	return tokenOutput(service, token, fromCache, options.includeRefreshToken === true, sessionHeadersFor(service, credentials, token));
}
