/**
 * A minimal IExecuteFunctions for running the Fortinet Token node in-process: parameters from a
 * map, credentials per type (and optionally per item), and n8n-core's REAL request helpers, so the
 * engine talks to the emulator over HTTP exactly as it would inside n8n.
 */
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	NodeParameterValueType,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RequestHelpers } from '../../credentials/engine';
import { FortinetToken } from '../../nodes/FortinetToken/FortinetToken.node';
import { n8nHelpers } from '../support/n8n';

export type Parameters = Record<string, NodeParameterValueType>;

export type CredentialSource =
	| Record<string, ICredentialDataDecryptedObject>
	| ((type: string, itemIndex: number) => ICredentialDataDecryptedObject | undefined);

export interface NodeRun {
	parameters: Parameters;
	credentials: CredentialSource;
	/** Number of (empty) input items, default 1. */
	items?: number;
	continueOnFail?: boolean;
}

export interface RunRecord {
	/** Every getCredentials call, in order: which type for which item. */
	credentialCalls: Array<{ type: string; itemIndex: number }>;
}

export const NODE: INode = {
	id: 'fortinet-token-node',
	name: 'Fortinet Token',
	type: 'n8n-nodes-fortinet-token.fortinetToken',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** The subset of IExecuteFunctions the node uses, implemented for real (no stubs that return constants). */
interface ExecuteSubset {
	getInputData(): INodeExecutionData[];
	getNodeParameter(name: string, itemIndex: number, fallbackValue?: unknown): unknown;
	getCredentials(type: string, itemIndex: number): Promise<ICredentialDataDecryptedObject>;
	getNode(): INode;
	continueOnFail(): boolean;
	helpers: RequestHelpers;
}

export function executeContext(run: NodeRun, record: RunRecord = { credentialCalls: [] }): IExecuteFunctions {
	const items: INodeExecutionData[] = Array.from({ length: run.items ?? 1 }, (_, index) => ({ json: { index } }));
	const node: INode = { ...NODE, parameters: { ...run.parameters } };
	const context: ExecuteSubset = {
		getInputData: () => items,
		getNodeParameter: (name, itemIndex, fallbackValue) => {
			if (itemIndex < 0 || itemIndex >= items.length) throw new Error(`No item ${itemIndex}`);
			if (name in run.parameters) return structuredClone(run.parameters[name]);
			if (fallbackValue !== undefined) return fallbackValue;
			throw new NodeOperationError(node, `Could not get parameter "${name}"`, { itemIndex });
		},
		getCredentials: async (type, itemIndex) => {
			record.credentialCalls.push({ type, itemIndex });
			const source = run.credentials;
			const data = typeof source === 'function' ? source(type, itemIndex) : source[type];
			// As n8n: a node without a credential of the requested type cannot run.
			if (!data) throw new NodeOperationError(node, `Node "${node.name}" does not have any credentials of type "${type}" set`, { itemIndex });
			// n8n hands out a decrypted copy per call.
			return structuredClone(data);
		},
		getNode: () => node,
		continueOnFail: () => run.continueOnFail === true,
		helpers: n8nHelpers,
	};
	return context as unknown as IExecuteFunctions;
}

/** Runs the node once and returns its single output. */
export async function runNode(run: NodeRun, record?: RunRecord): Promise<INodeExecutionData[]> {
	const output = await new FortinetToken().execute.call(executeContext(run, record));
	expect(output).toHaveLength(1);
	return output[0];
}
