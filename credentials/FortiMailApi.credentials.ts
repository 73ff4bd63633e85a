import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { adminFields, applianceUrlField, idleTimeoutField, TLS_FIELDS } from './common/descriptions';
import { authenticate, fortiMail, preAuthenticate, TOKEN_FIELDS } from './engine';

/**
 * FortiMail, FortiRecorder or FortiVoice: an administrator's REST API session (the APSCOOKIE
 * cookie), opened once, kept while in use, logged out; a session the appliance ended is replaced.
 */
export class FortiMailApi implements ICredentialType {
	name = 'fortiMailApi';

	displayName = 'FortiMail / FortiRecorder / FortiVoice API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortimail--fortirecorder--fortivoice-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Product',
			name: 'product',
			type: 'options',
			options: [
				{ name: 'FortiMail', value: 'fortiMail' },
				{ name: 'FortiRecorder', value: 'fortiRecorder' },
				{ name: 'FortiVoice', value: 'fortiVoice' },
			],
			default: 'fortiMail',
		},
		applianceUrlField('appliance', 'https://fortimail.example.com'),
		...adminFields('An administrator with REST API access (its access profile allows the API)'),
		idleTimeoutField('config system global: admin-idle-timeout', 5),
		...TLS_FIELDS,
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiMail, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiMail, credentials, requestOptions);
}
