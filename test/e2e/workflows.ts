/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tool code runs in Node, not inside n8n: emulator fixtures are its to use */
/**
 * Workflow JSON as a user builds it in the editor: used by the end-to-end suite and by the demo
 * (`npm start`), so both exercise the same node shapes.
 */
import { randomUUID } from 'node:crypto';

import type { WorkflowJson, WorkflowNode } from './n8n';

export const TOKEN_NODE_TYPE = 'n8n-nodes-fortinet-token.fortinetToken';

export interface CredentialRef {
	id: string;
	name: string;
	type: string;
}

function node(name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	// `chain` lays the nodes out; the position here is a placeholder.
	return { id: randomUUID(), name, type, typeVersion, position: [0, 0], parameters, ...extra };
}

function withCredential(credential: CredentialRef): Partial<WorkflowNode> {
	return { credentials: { [credential.type]: { id: credential.id, name: credential.name } } };
}

export const manualTrigger = (name = 'Manual'): WorkflowNode => node(name, 'n8n-nodes-base.manualTrigger', 1, {});

/** HTTP Request v4.2, Authentication "Predefined Credential Type" with one of our credentials. */
export function httpWithCredential(name: string, credential: CredentialRef, method: 'GET' | 'POST', url: string): WorkflowNode {
	return node(
		name,
		'n8n-nodes-base.httpRequest',
		4.2,
		{ method, url, authentication: 'predefinedCredentialType', nodeCredentialType: credential.type, options: {} },
		withCredential(credential),
	);
}

/**
 * HTTP Request v4.2 POSTing a JSON-RPC call to `<url>/jsonrpc` with a predefined FortiManager /
 * FortiAnalyzer credential: the body has no session, as the user writes it; the credential adds it.
 */
export function httpJsonRpc(name: string, credential: CredentialRef, url: string, rpcUrl = '/sys/status'): WorkflowNode {
	return httpWithJsonBody(name, credential, 'POST', `${url}/jsonrpc`, JSON.stringify({ id: 1, method: 'get', params: [{ url: rpcUrl }] }, null, 2));
}

/** HTTP Request v4.2 sending a JSON body (text, may hold expressions) with a predefined credential. */
export function httpWithJsonBody(name: string, credential: CredentialRef, method: 'POST' | 'PUT', url: string, jsonBody: string): WorkflowNode {
	return node(
		name,
		'n8n-nodes-base.httpRequest',
		4.2,
		{ method, url, authentication: 'predefinedCredentialType', nodeCredentialType: credential.type, sendBody: true, specifyBody: 'json', jsonBody, options: {} },
		withCredential(credential),
	);
}

export function tokenNode(name: string, credential: CredentialRef, operation: 'getToken' | 'refreshToken' | 'revokeToken'): WorkflowNode {
	const options = operation === 'revokeToken' ? {} : { options: {} };
	return node(name, TOKEN_NODE_TYPE, 1, { service: credential.type, operation, ...options }, withCredential(credential));
}

/** HTTP Request without n8n auth, with the Authorization header taken from the previous item. */
export function httpWithHeaderExpression(name: string, url: string, method: 'GET' | 'POST' = 'GET'): WorkflowNode {
	return node(name, 'n8n-nodes-base.httpRequest', 4.2, {
		method,
		url,
		sendHeaders: true,
		specifyHeaders: 'keypair',
		headerParameters: { parameters: [{ name: 'Authorization', value: '={{ $json.authorizationHeader }}' }] },
		options: {},
	});
}

export function webhookTrigger(path: string): WorkflowNode {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{ path, httpMethod: 'GET', responseMode: 'lastNode', options: {} },
		{ webhookId: randomUUID() },
	);
}

export function scheduleEverySeconds(seconds: number): WorkflowNode {
	return node(`Every ${seconds} seconds`, 'n8n-nodes-base.scheduleTrigger', 1.2, {
		rule: { interval: [{ field: 'seconds', secondsInterval: seconds }] },
	});
}

export function scheduleEveryMinute(): WorkflowNode {
	return node('Every minute', 'n8n-nodes-base.scheduleTrigger', 1.2, {
		rule: { interval: [{ field: 'minutes', minutesInterval: 1 }] },
	});
}

/**
 * IF v1: items whose query has no `param` go on (true output, the one `chain` connects); a call
 * with `?param=1` stops here, so a webhook can be probed without running what follows.
 */
export function unlessQuery(param: string): WorkflowNode {
	return node(`Unless ?${param}`, 'n8n-nodes-base.if', 1, {
		conditions: { string: [{ value1: `={{ $json.query.${param} ?? '' }}`, operation: 'isEmpty' }] },
	});
}

/** A straight chain of nodes, each feeding the next, laid out left to right; `note` stays unconnected. */
export function chain(name: string, nodes: WorkflowNode[], note?: WorkflowNode): WorkflowJson {
	const connections: WorkflowJson['connections'] = {};
	nodes.forEach((current, index) => {
		current.position = [index * 260, 300];
		const next = nodes[index + 1];
		if (next) connections[current.name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return { name, nodes: note ? [note, ...nodes] : nodes, connections, settings: { executionOrder: 'v1' } };
}
