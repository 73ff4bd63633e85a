import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { SERVICES, testCredential } from '../../../credentials/engine';

/**
 * The Test of every Fortinet credential (declared with `testedBy` on this node, not as a `test`
 * request on the credential). n8n's editor runs it whenever a credential form opens; a `test`
 * request would have to log in each time — under FortiCloud IAM's one-active-token rule that kills
 * the token running workflows hold. Run through the engine instead, a Test reuses the live token
 * of the same identity, and a login it needs becomes the engine's current token.
 */
export async function fortinetCredentialTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const service = SERVICES[credential.type];
	if (!service) return { status: 'Error', message: `Unknown Fortinet credential type "${credential.type}".` };
	// n8n gives a credential test function only the legacy request helper (no httpRequest).
	const { helpers } = this;
	return await testCredential(service, credential.data ?? {}, { request: async (options) => await helpers.request(options) });
}
