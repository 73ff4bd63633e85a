import { FORTICWP } from '../defaults';
import { fortiCnp } from '../protocols/fortiCnp';
import type { ServiceDescription } from '../types';
import { fortiCnpConnection } from './fortiCnpConnection';

export const fortiCwp: ServiceDescription = {
	credentialType: 'fortiCwpApi',
	label: 'FortiCWP',
	protocol: fortiCnp,
	apiDomains: ['forticwp.com', 'forticnp.com'],
	secretHint: 'the API Credential generated in FortiCWP (Settings > Credentials), or the Username and Password',
	noRevokeReason: 'FortiCWP has no token revoke call: the token stays valid until it expires',
	connect: (credentials) => fortiCnpConnection(credentials, FORTICWP),
};
