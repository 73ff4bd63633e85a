import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { cnpFields } from './common/descriptions';
import { FORTICASB } from './engine/defaults';
import { authenticate, fortiCasb, preAuthenticate, TOKEN_FIELDS } from './engine';

/** FortiCASB (shared FortiCASB/FortiCWP auth service): user and password, or an API credential from the product. */
export class FortiCasbApi implements ICredentialType {
	name = 'fortiCasbApi';

	displayName = 'FortiCASB API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#forticasb-api';

	properties: INodeProperties[] = [
		...cnpFields(FORTICASB),
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiCasb, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiCasb, credentials, requestOptions);
}
