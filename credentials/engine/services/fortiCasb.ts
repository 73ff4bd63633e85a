import { FORTICASB } from '../defaults';
import { fortiCnp } from '../protocols/fortiCnp';
import type { ServiceDescription } from '../types';
import { fortiCnpConnection } from './fortiCnpConnection';

export const fortiCasb: ServiceDescription = {
	credentialType: 'fortiCasbApi',
	label: 'FortiCASB',
	protocol: fortiCnp,
	apiDomains: ['forticasb.com'],
	secretHint: 'the Username and Password, or the API Credential generated in FortiCASB',
	noRevokeReason: 'FortiCASB has no token revoke call: the token stays valid until it expires',
	connect: (credentials) => fortiCnpConnection(credentials, FORTICASB),
};
