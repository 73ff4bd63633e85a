import type { ServiceDescription } from '../types';
import { fortiAuthenticator } from './fortiAuthenticator';
import { fortiCasb } from './fortiCasb';
import { fortiCloudIam } from './fortiCloudIam';
import { fortiCwp } from './fortiCwp';
import { fortiLanCloud } from './fortiLanCloud';
import { fortiSase } from './fortiSase';

export { fortiAuthenticator, fortiCasb, fortiCloudIam, fortiCwp, fortiLanCloud, fortiSase };

/** Every service, by its n8n credential type name. */
export const SERVICES: Record<string, ServiceDescription> = Object.fromEntries(
	[fortiSase, fortiLanCloud, fortiCloudIam, fortiCasb, fortiCwp, fortiAuthenticator].map((s) => [s.credentialType, s]),
);
