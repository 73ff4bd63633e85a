/**
 * What the Fortinet Token node and the credential Test do with a credential, through the same
 * identity and single flight as the hooks: the token seen here is the one the HTTP Request node sends.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { isTokenError, settle } from './errors';
import { modeOf } from './modes';
import type { ObtainedToken, RequestHelpers, RevokeResult, ServiceDescription, TokenSet } from './types';

/** The current token for the node's Get operation (the same one the credential layer uses). */
export async function getToken(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
	options: { forceNewLogin?: boolean } = {},
): Promise<ObtainedToken> {
	return await modeOf(service, credentials).get(helpers, options);
}

/** Refresh grant now (falling back to a login); the new token replaces the cached one. */
export async function renewToken(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<TokenSet> {
	return await modeOf(service, credentials).refresh(helpers);
}

/** Revokes at the service where it can, and drops the token so the next use logs in again. */
export async function revokeToken(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<RevokeResult> {
	return await modeOf(service, credentials).revoke(helpers);
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/** The credential Test (n8n's editor runs it as soon as the form opens): never a login it can avoid. */
export async function testCredential(
	service: ServiceDescription,
	credentials: ICredentialDataDecryptedObject,
	helpers: RequestHelpers,
): Promise<CredentialTestResult> {
	const tested = await settle(async () => await modeOf(service, credentials).test(helpers));
	if (tested.ok) return { status: 'OK', message: tested.value };
	const error = tested.error;
	return {
		status: 'Error',
		message: isTokenError(error) ? error.message : `${service.label}: the test failed unexpectedly.`,
	};
}

/** The headers the credential sends with a session, as the node's Get shows them (a write's, CSRF included). */
export function sessionHeadersFor(service: ServiceDescription, credentials: ICredentialDataDecryptedObject, token: TokenSet): Record<string, string> | undefined {
	const connection = service.connect(credentials);
	return 'kind' in connection ? undefined : service.protocol.headers?.(token.accessToken, true, connection);
}
