export {
	authenticate,
	clearTokenCache,
	getToken,
	preAuthenticate,
	refreshToken,
	revokeToken,
	tokenCacheSize,
	tokenCacheSnapshot,
} from './tokens';
export type { ObtainedToken, RevokeResult } from './tokens';
export { configureEngine, settings } from './settings';
export { FortinetTokenError } from './errors';
export * from './services';
export type { PersistedToken, RequestHelpers, ServiceDescription, TokenSet } from './types';
