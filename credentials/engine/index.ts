export { authenticate, preAuthenticate } from './tokens';
export { getToken, renewToken, revokeToken, testCredential } from './operations';
export type { CredentialTestResult, ObtainedToken, RevokeResult } from './operations';
export { configureEngine, settings } from './settings';
export { TOKEN_FIELDS } from './tokenFields';
export { FortinetTokenError } from './errors';
export * from './services';
export { IAM_CLIENT_IDS } from './services/fortiCloudIam';
export type { PersistedToken, RequestHelpers, ServiceDescription, TokenSet } from './types';
