import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { SERVICE_OPTIONS, subtitleExpression } from './actions/common';
import * as getToken from './actions/getToken.operation';
import * as refreshToken from './actions/refreshToken.operation';
import * as revokeToken from './actions/revokeToken.operation';
import { router } from './actions/router';
import { fortinetCredentialTest } from './methods/credentialTest';

/**
 * Gets, refreshes and revokes the token of a Fortinet credential through the same engine (and the
 * same process-wide cache) the credentials use, so the token seen here is the one the HTTP Request
 * node sends, and a token refreshed or revoked here is the one it sends next.
 */
export class FortinetToken implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fortinet Token',
		name: 'fortinetToken',
		icon: { light: 'file:fortinetToken.svg', dark: 'file:fortinetToken.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitleExpression(),
		description: 'Get, refresh or revoke the API token or session of a Fortinet credential',
		documentationUrl: 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortinet-token-node',
		defaults: {
			name: 'Fortinet Token',
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Deliberately not an AI tool: Get Token and Refresh Token output live access tokens (and, on
		// request, refresh tokens). As a tool their output goes into the model's context, i.e. to the
		// model provider, and an agent could mint or revoke tokens on a prompt's say-so. The type only
		// admits `true` or a description, so "not a tool" is spelled as an explicit `undefined`.
		usableAsTool: undefined,
		credentials: [
			{
				name: 'fortiSaseApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiSaseApi'] } },
			},
			{
				name: 'fortiLanCloudApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiLanCloudApi'] } },
			},
			{
				name: 'fortiCloudIamApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiCloudIamApi'] } },
			},
			{
				name: 'fortiCasbApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiCasbApi'] } },
			},
			{
				name: 'fortiCwpApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiCwpApi'] } },
			},
			{
				name: 'fortiAuthenticatorApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiAuthenticatorApi'] } },
			},
			{
				name: 'fortiManagerCloudApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiManagerCloudApi'] } },
			},
			{
				name: 'fortiAnalyzerCloudApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiAnalyzerCloudApi'] } },
			},
			{
				name: 'fortiManagerApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiManagerApi'] } },
			},
			{
				name: 'fortiOsApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiOsApi'] } },
			},
			{
				name: 'fortiClientEmsApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiClientEmsApi'] } },
			},
			{
				name: 'fortiMailApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiMailApi'] } },
			},
			{
				name: 'fortiSandboxApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiSandboxApi'] } },
			},
			{
				name: 'fortiAdcApi',
				required: true,
				testedBy: 'fortinetCredentialTest',
				displayOptions: { show: { service: ['fortiAdcApi'] } },
			},
		],
		properties: [
			{
				displayName: 'Service',
				name: 'service',
				type: 'options',
				noDataExpression: true,
				options: SERVICE_OPTIONS,
				default: 'fortiSaseApi',
				description: 'The Fortinet service, and so the type of credential, to use',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Get Token',
						value: 'getToken',
						description: 'Get the current token or session, logging in only when there is no valid one',
						action: 'Get a token',
					},
					{
						name: 'Refresh Token',
						value: 'refreshToken',
						description: 'Get a new token with the refresh grant, or by logging in (a session is re-established)',
						action: 'Refresh a token',
					},
					{
						name: 'Revoke Token',
						value: 'revokeToken',
						description: 'Revoke the token where the service can (a session is logged out), and drop it from the cache',
						action: 'Revoke a token',
					},
				],
				default: 'getToken',
			},
			...getToken.description,
			...refreshToken.description,
			...revokeToken.description,
		],
	};

	methods = {
		credentialTest: { fortinetCredentialTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
