/**
 * Values both a credential form shows as its default and a service falls back to when the field
 * is empty (credentials saved before the field existed): written once, read by both.
 */
export const FORTICLOUD_AUTH_URL = 'https://customerapiauth.fortinet.com';

/** How long a session FortiManager confirmed is trusted before the next check. */
export const SESSION_CHECK_SECONDS = 30;

/** FortiCASB and FortiCWP share one auth service and one credential form; these are the differences. */
export interface CnpProduct {
	label: 'FortiCASB' | 'FortiCWP';
	baseUrl: string;
	euBaseUrl: string;
	authMethod: 'password' | 'apiCredential';
}

export const FORTICASB: CnpProduct = {
	label: 'FortiCASB',
	baseUrl: 'https://www.forticasb.com',
	euBaseUrl: 'https://eu.forticasb.com',
	authMethod: 'password',
};

export const FORTICWP: CnpProduct = {
	label: 'FortiCWP',
	baseUrl: 'https://www.forticwp.com',
	euBaseUrl: 'https://eu.forticwp.com',
	authMethod: 'apiCredential',
};
