import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { baseUrl, optionalText, requiredText, VERIFIED_TLS } from '../fields';
import type { CnpProduct } from '../defaults';
import type { Connection } from '../types';

/** FortiCASB and FortiCWP accounts: a user/password, or an API credential generated in the product. */
export function fortiCnpConnection(
	credentials: ICredentialDataDecryptedObject,
	product: CnpProduct,
): Connection {
	const { label } = product;
	const url = baseUrl(credentials, 'baseUrl', 'Base URL', label, product.baseUrl);
	if ((optionalText(credentials, 'authMethod') || product.authMethod) === 'apiCredential') {
		return {
			baseUrl: url,
			grant: 'apiCredential',
			apiCredential: requiredText(credentials, 'apiSecret', 'API Credential', label),
			tls: VERIFIED_TLS,
		};
	}
	return {
		baseUrl: url,
		grant: 'password',
		username: requiredText(credentials, 'username', 'Username', label),
		password: requiredText(credentials, 'password', 'Password', label),
		tls: VERIFIED_TLS,
	};
}
