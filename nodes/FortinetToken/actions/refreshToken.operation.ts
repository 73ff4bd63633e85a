import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { renewToken, sessionHeadersFor } from '../../../credentials/engine';
import { includeRefreshTokenOption, serviceCall, tokenOutput } from './common';

interface RefreshTokenOptions {
	includeRefreshToken?: boolean;
}

export const description: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['refreshToken'] } },
		options: [
			includeRefreshTokenOption,
		],
	},
];

/**
 * A new token now: the refresh grant when a refresh token is known, else (or when the service
 * refuses it) a login. The new token replaces the cached one, so the credential layer sends it next.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { service, credentials, helpers } = await serviceCall.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as RefreshTokenOptions;
	const token = await renewToken(service, credentials, helpers);
	return tokenOutput(service, token, false, options.includeRefreshToken === true, sessionHeadersFor(service, credentials, token));
}
