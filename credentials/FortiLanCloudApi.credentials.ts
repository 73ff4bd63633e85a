import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { apiUserFields, authUrlField } from './common/descriptions';
import { authenticate, fortiLanCloud, preAuthenticate, TOKEN_FIELDS } from './engine';

/** FortiLAN Cloud API users, through FortiCloud IAM (client_id fortilancloud, 4-hour tokens). */
export class FortiLanCloudApi implements ICredentialType {
	name = 'fortiLanCloudApi';

	displayName = 'FortiLAN Cloud API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortilan-cloud-api';

	properties: INodeProperties[] = [
		...apiUserFields(),
		authUrlField(),
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: 'fortilancloud',
			description: 'FortiCloud IAM client_id of FortiLAN Cloud, as in the downloaded credentials',
		},
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiLanCloud, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiLanCloud, credentials, requestOptions);
}
