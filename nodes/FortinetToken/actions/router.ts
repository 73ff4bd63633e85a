import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { SERVICES } from '../../../credentials/engine';
import { toNodeError } from './common';
import * as getToken from './getToken.operation';
import * as refreshToken from './refreshToken.operation';
import * as revokeToken from './revokeToken.operation';

type OperationExecute = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject>;

const OPERATIONS: Record<string, OperationExecute> = {
	getToken: getToken.execute,
	refreshToken: refreshToken.execute,
	revokeToken: revokeToken.execute,
};

/** The value n8n adds as "Custom API Call" to nodes whose credentials have `authenticate`. */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

/**
 * n8n offers "Custom API Call" here, but the call itself belongs to the HTTP Request node with this
 * node's credential; the answer names the very credential type to pick there.
 */
function customApiCallError(this: IExecuteFunctions): NodeOperationError {
	const service = this.getNodeParameter('service', 0, '') as string;
	// A credential type's display name is its service's label plus " API" (a unit test holds them to it).
	const label = SERVICES[service]?.label;
	const credential = label ? `${label} API` : 'the Fortinet credential type';
	return new NodeOperationError(this.getNode(), 'Custom API Call runs in the HTTP Request node, not here', {
		description:
			`Add an HTTP Request node, set Authentication to "Predefined Credential Type", pick "${credential}" ` +
			'as the credential type and then this credential: it carries the token or session on every request. ' +
			'This node only gets, refreshes and revokes the token.',
	});
}

/**
 * Runs the chosen operation once per input item. Every output item is paired with its input; with
 * "Continue On Fail" a failed item becomes `{ error }` and the next item runs.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	if (operation === CUSTOM_API_CALL) throw customApiCallError.call(this);
	const execute = OPERATIONS[operation];
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported.`, {
			description: 'Pick Get Token, Refresh Token or Revoke Token in the Operation field.',
		});
	}
	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const json = await execute.call(this, itemIndex);
			returnData.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError = toNodeError(this.getNode(), error, itemIndex);
			if (!this.continueOnFail()) throw nodeError;
			returnData.push({ json: { error: nodeError.message }, pairedItem: { item: itemIndex } });
		}
	}
	return [returnData];
}
