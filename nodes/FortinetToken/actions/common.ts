import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeProperties,
	INodePropertyOptions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { isTokenError, SERVICES } from '../../../credentials/engine';
import type { RequestHelpers, ServiceDescription, TokenSet } from '../../../credentials/engine';

/**
 * What the operations share: the Service parameter (which of the fourteen credential types the node
 * uses), the per-item credential lookup, the output shape of a token, and the mapping of the
 * engine's errors to n8n's node errors.
 */

/** The Service parameter's options; the values are the credential type names of this package. */
export const SERVICE_OPTIONS: INodePropertyOptions[] = [
	{ name: 'FortiADC', value: 'fortiAdcApi', description: 'Administrator session, or API key' },
	{ name: 'FortiAuthenticator', value: 'fortiAuthenticatorApi' },
	{ name: 'FortiCASB', value: 'fortiCasbApi' },
	{ name: 'FortiCloud IAM (Other Services)', value: 'fortiCloudIamApi', description: 'FortiFlex, FortiGate Cloud, FortiManager Cloud and the other FortiCloud IAM services' },
	{ name: 'FortiClient EMS', value: 'fortiClientEmsApi', description: 'Administrator session, or EMS Cloud access key' },
	{ name: 'FortiCWP', value: 'fortiCwpApi' },
	{ name: 'FortiGate (FortiOS)', value: 'fortiOsApi', description: 'Administrator session, or API key' },
	{ name: 'FortiAnalyzer Cloud', value: 'fortiAnalyzerCloudApi', description: 'JSON-RPC session' },
	{ name: 'FortiLAN Cloud', value: 'fortiLanCloudApi' },
	{ name: 'FortiMail / FortiRecorder / FortiVoice', value: 'fortiMailApi', description: 'Administrator session' },
	{ name: 'FortiManager / FortiAnalyzer (On-Premises)', value: 'fortiManagerApi', description: 'JSON-RPC session, or API key' },
	{ name: 'FortiManager Cloud', value: 'fortiManagerCloudApi', description: 'JSON-RPC session' },
	{ name: 'FortiSandbox', value: 'fortiSandboxApi', description: 'JSON-RPC session' },
	{ name: 'FortiSASE', value: 'fortiSaseApi' },
];

export const OPERATION_NAMES: Record<string, string> = {
	getToken: 'Get Token',
	refreshToken: 'Refresh Token',
	revokeToken: 'Revoke Token',
};

/** An n8n expression showing "<operation>: <service>" under the node's name on the canvas. */
export function subtitleExpression(): string {
	const pick = (parameter: string, names: Array<[string, string]>, fallback: string): string =>
		names.reduceRight(
			(otherwise, [value, name]) => `$parameter["${parameter}"] === ${JSON.stringify(value)} ? ${JSON.stringify(name)} : (${otherwise})`,
			JSON.stringify(fallback),
		);
	const operations = Object.entries(OPERATION_NAMES);
	const services = SERVICE_OPTIONS.map((option): [string, string] => [
		String(option.value),
		SERVICES[String(option.value)]?.label ?? option.name,
	]);
	return `={{ (${pick('operation', operations, '')}) + ": " + (${pick('service', services, '')}) }}`;
}

export interface ServiceCall {
	service: ServiceDescription;
	credentials: ICredentialDataDecryptedObject;
	/** n8n's request helpers, handed to the engine (it calls the token endpoints through them). */
	helpers: RequestHelpers;
}

/** The service chosen for this item and its credential (fetched per item, as n8n resolves them per item). */
export async function serviceCall(this: IExecuteFunctions, itemIndex: number): Promise<ServiceCall> {
	const type = this.getNodeParameter('service', itemIndex) as string;
	const service = SERVICES[type];
	if (!service) {
		throw new NodeOperationError(this.getNode(), `Unknown service "${type}": pick one from the Service list.`, {
			itemIndex,
		});
	}
	const credentials = await this.getCredentials(type, itemIndex);
	return { service, credentials, helpers: this.helpers };
}

/** Option shared by Get Token and Refresh Token: the refresh token is output only on request. */
export const includeRefreshTokenOption: INodeProperties = {
	displayName: 'Include Refresh Token',
	name: 'includeRefreshToken',
	type: 'boolean',
	default: false,
	description:
		'Whether to add the refresh token to the output. It is a secret that renews access: leave it off unless a later step needs it.',
};

const API_KEY_NOTICE = 'An API key is not output: the credential sends it as it is, and it does not expire.';

/** The JSON of one token item. The refresh token is only included when the user asks for it. */
export function tokenOutput(
	service: ServiceDescription,
	token: TokenSet,
	fromCache: boolean,
	includeRefreshToken: boolean,
	headers?: Record<string, string>,
	now = Date.now(),
): IDataObject {
	const expiry = {
		expiresAt: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
		expiresIn: token.expiresAt === null ? null : Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
	};
	if (token.tokenType === 'apiKey') {
		// The user's own long-lived secret: the credential sends it, the node does not repeat it.
		return { service: service.label, tokenType: 'apiKey', ...expiry, fromCache, message: API_KEY_NOTICE };
	}
	if (token.tokenType === 'session') {
		// What the credential puts into JSON-RPC bodies as "session", or (FortiGate) the headers it
		// sends. Its refresh token (FortiManager Cloud: the FortiCloud IAM one) only on request.
		const output: IDataObject = { service: service.label, session: token.accessToken, ...(headers ? { headers } : {}), ...expiry, fromCache };
		if (includeRefreshToken) output.refreshToken = token.refreshToken ?? null;
		return output;
	}
	const output: IDataObject = {
		service: service.label,
		tokenType: token.tokenType,
		accessToken: token.accessToken,
		// What the credential layer sends (it always uses the Bearer scheme).
		authorizationHeader: `Bearer ${token.accessToken}`,
		...expiry,
		scope: token.scope ?? null,
		fromCache,
	};
	if (includeRefreshToken) output.refreshToken = token.refreshToken ?? null;
	return output;
}

/** Engine failures that come from the service or the way to it: shown as API errors. */
const API_KINDS = new Set([
	'badCredentials',
	'unknownClient',
	'rateLimited',
	'serviceError',
	'badResponse',
	'network',
	'tls',
	'expiredToken',
]);

/** A short hint per kind, for the error's description when the engine gives none. Never a secret. */
const HINTS: Record<string, string> = {
	badCredentials: 'Open the credential selected in this node and check its fields.',
	unknownClient: 'The FortiCloud IAM client_id does not match the API user: check the Client ID / Service field of the credential.',
	rateLimited: 'Wait before retrying. Get Token reuses the cached token, which needs no login until it is close to expiry.',
	serviceError: 'The service failed to answer; retry later or turn on "Retry On Fail" in the node settings.',
	badResponse: 'Check that the URL in the credential points at the service API and not at a web page or proxy.',
	network: 'Check the URL in the credential and that n8n can reach the service.',
	tls: 'Add the CA certificate to the credential, or turn on "Ignore SSL Issues" for this credential only.',
	expiredToken: 'Generate a new access token, or let n8n log in with an API user.',
};

/**
 * Maps what an operation threw to the error n8n shows: service failures are NodeApiError (with
 * the service's HTTP status when there was one), wrong parameters or credential fields are
 * NodeOperationError. The engine's message names the service and is already free of secrets; it is
 * passed as `message` so NodeApiError keeps it instead of a generic text for the status code.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (isTokenError(error)) {
		const { kind, message } = error;
		if (!API_KINDS.has(kind)) {
			return new NodeOperationError(node, message, { itemIndex, description: error.description ?? undefined });
		}
		const status = error.serviceStatus;
		return new NodeApiError(node, { message } as JsonObject, {
			message,
			description: error.description || HINTS[kind],
			httpCode: status !== undefined && status > 0 ? String(status) : undefined,
			itemIndex,
		});
	}
	return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
}
