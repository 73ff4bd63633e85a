import type { ServiceDescription } from '../types';
import { fortiAdc } from './fortiAdc';
import { fortiAuthenticator } from './fortiAuthenticator';
import { fortiCasb } from './fortiCasb';
import { fortiClientEms } from './fortiClientEms';
import { fortiCloudIam } from './fortiCloudIam';
import { fortiCwp } from './fortiCwp';
import { fortiLanCloud } from './fortiLanCloud';
import { fortiMail } from './fortiMail';
import { fortiManager } from './fortiManager';
import { fortiAnalyzerCloud, fortiManagerCloud } from './fortiManagerCloud';
import { fortiOs } from './fortiOs';
import { fortiSandbox } from './fortiSandbox';
import { fortiSase } from './fortiSase';

export {
	fortiAdc,
	fortiAnalyzerCloud,
	fortiAuthenticator,
	fortiCasb,
	fortiClientEms,
	fortiCloudIam,
	fortiCwp,
	fortiLanCloud,
	fortiMail,
	fortiManager,
	fortiManagerCloud,
	fortiOs,
	fortiSandbox,
	fortiSase,
};

/** Every service, by its n8n credential type name. */
export const SERVICES: Record<string, ServiceDescription> = Object.fromEntries(
	[fortiSase, fortiLanCloud, fortiCloudIam, fortiCasb, fortiCwp, fortiAuthenticator, fortiManagerCloud, fortiAnalyzerCloud, fortiManager, fortiOs, fortiClientEms, fortiMail, fortiSandbox, fortiAdc].map((s) => [
		s.credentialType,
		s,
	]),
);
