/**
 * Appliance login sessions carried in headers (FortiGate: a session key as Bearer, or session
 * cookies and a CSRF token on writes). A dead session is answered with 401, so n8n's retry after a
 * failed request finds it, as for a token: this is `ManagedTokenMode` with the protocol's
 * headers, the keepalive as its refresh, and sessions that must be logged out when replaced.
 */
import type { Caller, Identity } from '../identity';
import type { TokenSet } from '../types';
import { ManagedTokenMode } from './managedToken';

export class HeaderSessionMode extends ManagedTokenMode {
	/** The node's Refresh opens a new session (a keepalive would hand back the same one). */
	protected override readonly nodeRefresh = 'login';

	/** A replaced session would stay open on the appliance, taking a slot, until it idles out. */
	protected override async retire(identity: Identity, caller: Caller, replaced: TokenSet): Promise<void> {
		await identity.logOut(caller, replaced);
	}
}
