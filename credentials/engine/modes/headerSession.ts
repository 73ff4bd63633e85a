/**
 * Appliance login sessions carried in headers (FortiGate: a session key as Bearer, or session
 * cookies and a CSRF token on writes). A dead session is answered with 401, so n8n's retry after a
 * failed request finds it, as for a token: this is `ManagedTokenMode` with the protocol's
 * headers, the keepalive as its refresh; a replaced session is logged out (Identity.renew).
 */
import { ManagedTokenMode } from './managedToken';

export class HeaderSessionMode extends ManagedTokenMode {
	/** The node's Refresh opens a new session (a keepalive would hand back the same one). */
	protected override readonly nodeRefresh = 'login';
}
