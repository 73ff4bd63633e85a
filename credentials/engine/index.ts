/**
 * The token engine. A product is a service description (services/) on a wire protocol
 * (protocols/); its credential mode (modes/) decides when to renew, confirm or revoke, and one
 * Identity (identity.ts) per account owns the token and does it. A new product: a file in
 * services/, a class in credentials/, a row in test/support/services.ts (README, "Adding a product").
 */
export { authenticate, preAuthenticate } from './hooks';
export { getToken, renewToken, revokeToken, sessionHeadersFor, testCredential } from './operations';
export type { CredentialTestResult } from './operations';
export { configureEngine, settings } from './settings';
export { TOKEN_FIELDS } from './tokenFields';
export { isTokenError, tokenError } from './errors';
export type { FortinetTokenError } from './errors';
export * from './services';
export { IAM_CLIENT_IDS } from './services/fortiCloudIam';
export type { ObtainedToken, PersistedToken, RequestHelpers, RevokeResult, ServiceDescription, TokenSet } from './types';
