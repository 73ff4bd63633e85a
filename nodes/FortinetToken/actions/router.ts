import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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

/**
 * Runs the chosen operation once per input item. Every output item is paired with its input; with
 * "Continue On Fail" a failed item becomes `{ error }` and the next item runs.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const execute = OPERATIONS[operation];
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported.`);
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
