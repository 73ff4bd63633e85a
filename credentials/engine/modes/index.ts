/**
 * A credential's mode, from its fields: the one place that tells a managed token, a managed
 * JSON-RPC session, an appliance session in headers and a fixed token apart. Everything else calls the `CredentialMode` it gets.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { ServiceDescription } from '../types';
import { FixedTokenMode } from './fixedToken';
import { HeaderSessionMode } from './headerSession';
import { ManagedTokenMode } from './managedToken';
import type { CredentialMode } from './mode';
import { SessionMode } from './session';

export type { CredentialMode } from './mode';

/**
 * Modes by credentials object: n8n passes one object to every hook call made for one request (and
 * often one execution), so the fields are parsed and the identity hashed once, and the mode can
 * remember which token that request carried. Weak: gone with the object.
 */
const modes = new WeakMap<ICredentialDataDecryptedObject, CredentialMode>();

export function modeOf(service: ServiceDescription, credentials: ICredentialDataDecryptedObject): CredentialMode {
	const known = modes.get(credentials);
	if (known?.service === service) return known;
	const connection = service.connect(credentials);
	const mode =
		'kind' in connection
			? new FixedTokenMode(service, credentials, connection)
			: service.sendsTokenAs === 'jsonRpcSession'
				? new SessionMode(service, credentials, connection)
				: service.sendsTokenAs === 'sessionHeaders'
					? new HeaderSessionMode(service, credentials, connection)
					: new ManagedTokenMode(service, credentials, connection);
	modes.set(credentials, mode);
	return mode;
}
