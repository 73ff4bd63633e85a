import { FORTICWP } from '../defaults';
import { fortiCnp } from '../protocols/fortiCnp';
import type { ServiceDescription } from '../types';
import { fortiCnpConnection } from './fortiCnpConnection';

export const fortiCwp: ServiceDescription = {
	credentialType: 'fortiCwpApi',
	label: 'FortiCWP',
	protocol: fortiCnp,
	apiDomains: ['forticwp.com', 'forticnp.com'],
	secretHint: 'the API credential generated in FortiCWP (Settings > Credentials), or the FortiCWP username and password',
	noRevokeReason: 'FortiCWP has no token revoke call: the token stays valid until it expires',
	connect: (credentials) => fortiCnpConnection(credentials, FORTICWP),
};
