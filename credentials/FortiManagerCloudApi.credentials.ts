import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { cloudSessionFields } from './common/descriptions';
import { authenticate, fortiManagerCloud, preAuthenticate, TOKEN_FIELDS } from './engine';

/** FortiManager Cloud: a FortiCloud IAM login exchanged at the instance for a JSON-RPC session. */
export class FortiManagerCloudApi implements ICredentialType {
	name = 'fortiManagerCloudApi';

	displayName = 'FortiManager Cloud API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortimanager-cloud-api';

	properties: INodeProperties[] = [
		...cloudSessionFields('FortiManager Cloud'),
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiManagerCloud, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiManagerCloud, credentials, requestOptions);
}
