import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { cnpFields } from './common/descriptions';
import { FORTICWP } from './engine/defaults';
import { authenticate, fortiCwp, preAuthenticate, TOKEN_FIELDS } from './engine';

/** FortiCWP (shared FortiCASB/FortiCWP auth service): user and password, or an API credential from the product. */
export class FortiCwpApi implements ICredentialType {
	name = 'fortiCwpApi';

	displayName = 'FortiCWP API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#forticwp-api';

	properties: INodeProperties[] = [
		...cnpFields(FORTICWP),
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiCwp, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiCwp, credentials, requestOptions);
}
