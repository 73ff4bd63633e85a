import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { adminFields, applianceUrlField, idleTimeoutField, TLS_FIELDS } from './common/descriptions';
import { authenticate, fortiClientEms, preAuthenticate, TOKEN_FIELDS } from './engine';
import { EMS_CLOUD_URL } from './engine/services/fortiClientEms';

const ON_PREMISES = { show: { deployment: ['onPremises'] } };
const CLOUD = { show: { deployment: ['cloud'] } };

/**
 * FortiClient EMS: on premises, an administrator's session (cookies, with the CSRF token and a
 * Referer); EMS Cloud, an access key's session_id. Opened once, kept while in use, logged out.
 */
export class FortiClientEmsApi implements ICredentialType {
	name = 'fortiClientEmsApi';

	displayName = 'FortiClient EMS API';

	icon: Icon = { light: 'file:icons/fortinet.svg', dark: 'file:icons/fortinet.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#forticlient-ems-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Deployment',
			name: 'deployment',
			type: 'options',
			options: [
				{ name: 'On Premises', value: 'onPremises', description: 'An EMS server: an administrator signs in' },
				{ name: 'EMS Cloud', value: 'cloud', description: 'FortiClient EMS Cloud: an access key' },
			],
			default: 'onPremises',
		},
		applianceUrlField('EMS server', 'https://ems.example.com', ON_PREMISES),
		...adminFields('An EMS administrator with REST API access', ON_PREMISES),
		{
			displayName: 'Cloud URL',
			name: 'cloudUrl',
			type: 'string',
			default: EMS_CLOUD_URL,
			description: "EMS Cloud's API address",
			displayOptions: CLOUD,
		},
		{ displayName: 'Account Email', name: 'accountEmail', type: 'string', placeholder: 'name@email.com', default: '', required: true, displayOptions: CLOUD },
		{
			displayName: 'Access Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The access key generated in EMS Cloud for the API',
			displayOptions: CLOUD,
		},
		idleTimeoutField('System Settings, "Expire login session after"', 30, ON_PREMISES),
		...TLS_FIELDS.map((field) => ({ ...field, displayOptions: ON_PREMISES })),
		...TOKEN_FIELDS,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(fortiClientEms, credentials, this.helpers);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => await authenticate(fortiClientEms, credentials, requestOptions);
}
