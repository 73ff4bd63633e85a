import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { cloudSessionFields } from './common/descriptions';
import { authenticate, fortiAnalyzerCloud, preAuthenticate, TOKEN_FIELDS } from './engine';

/** FortiAnalyzer Cloud: a FortiCloud IAM login exchanged at the instance for a JSON-RPC session. */
export class FortiAnalyzerCloudApi implements ICredentialType {
	name = 'fortiAnalyzerCloudApi';

	displayName = 'FortiAnalyzer Cloud API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortianalyzer-cloud-api';

	properties: INodeProperties[] = [
		...cloudSessionFields('FortiAnalyzer Cloud'),
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiAnalyzerCloud, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiAnalyzerCloud, credentials, requestOptions);
}
