/** Workflow JSON for the end-to-end suite: the shapes a user builds in the editor. */
import type { WorkflowJson, WorkflowNode } from './n8n';

export const TOKEN_NODE_TYPE = 'n8n-nodes-fortinet-token.fortinetToken';

export interface CredentialRef {
	id: string;
	name: string;
	type: string;
}

export const manualTrigger = (): WorkflowNode => ({
	name: 'Manual',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});

/** HTTP Request v4.2, Authentication "Predefined Credential Type" with one of our credentials. */
export function httpWithCredential(name: string, credential: CredentialRef, method: 'GET' | 'POST', url: string, x = 220): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [x, 0],
		parameters: { method, url, authentication: 'predefinedCredentialType', nodeCredentialType: credential.type, options: {} },
		credentials: { [credential.type]: { id: credential.id, name: credential.name } },
	};
}

/** A straight chain of nodes, each feeding the next. */
export function chain(name: string, nodes: WorkflowNode[], settings: Record<string, unknown> = {}): WorkflowJson {
	const connections: WorkflowJson['connections'] = {};
	nodes.forEach((node, index) => {
		node.position = [index * 220, 0];
		const next = nodes[index + 1];
		if (next) connections[node.name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return { name, nodes, connections, settings } as WorkflowJson;
}

export function tokenNode(name: string, credential: CredentialRef, operation: 'getToken' | 'refreshToken' | 'revokeToken'): WorkflowNode {
	return {
		name,
		type: TOKEN_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { service: credential.type, operation, options: {} },
		credentials: { [credential.type]: { id: credential.id, name: credential.name } },
	};
}

/** HTTP Request without n8n auth, with the Authorization header taken from the previous item. */
export function httpWithHeaderExpression(name: string, url: string): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [0, 0],
		parameters: {
			method: 'GET',
			url,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'Authorization', value: '={{ $json.authorizationHeader }}' }] },
			options: {},
		},
	};
}

export function webhookTrigger(path: string): WorkflowNode {
	return {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		parameters: { path, httpMethod: 'GET', responseMode: 'lastNode', options: {} },
		webhookId: path,
	};
}

export function scheduleEverySeconds(seconds: number): WorkflowNode {
	return {
		name: 'Schedule',
		type: 'n8n-nodes-base.scheduleTrigger',
		typeVersion: 1.2,
		position: [0, 0],
		parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: seconds }] } },
	};
}
