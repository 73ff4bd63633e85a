import type { ApplianceSettings } from './appliance';
import type { FortiOsSettings } from './fgt';

/**
 * fmg: on-premises FortiManager / FortiAnalyzer; fmgCloud, fazCloud: FortiManager / FortiAnalyzer
 * Cloud instances; fgt: a FortiGate (FortiOS REST API); ems, emsCloud: FortiClient EMS on premises
 * and Cloud; fml: FortiMail (and FortiRecorder's, FortiVoice's logins); adc: FortiADC; fsa: FortiSandbox.
 */
export type EmulatedService = 'iam' | 'casb' | 'cwp' | 'fac' | 'fmg' | 'fmgCloud' | 'fazCloud' | 'fgt' | 'ems' | 'emsCloud' | 'fml' | 'adc' | 'fsa';
export const SERVICES: readonly EmulatedService[] = ['iam', 'casb', 'cwp', 'fac', 'fmg', 'fmgCloud', 'fazCloud', 'fgt', 'ems', 'emsCloud', 'fml', 'adc', 'fsa'];

/** The emulated appliances with session settings of their own (besides FortiGate's). */
export type ApplianceService = 'ems' | 'emsCloud' | 'fml' | 'adc';

export interface RateLimit {
	max: number;
	windowMs: number;
}

export interface EmulatorOptions {
	/** default '127.0.0.1' */
	host?: string;
	/** default 0 = a free port */
	ports?: Partial<Record<EmulatedService | 'control', number>>;
	/** seconds; keys: an IAM client_id, or 'casb' | 'cwp'; for the appliances and instances ('fmg', 'fgt', 'ems', …) the session idle timeout */
	lifetimes?: Record<string, number>;
	/** IAM refresh returns a new refresh_token (default true) */
	rotateRefreshTokens?: boolean;
	/** per IAM client_id; null = no limit */
	rateLimits?: Record<string, RateLimit | null>;
	/** one line per request on stdout (default false) */
	log?: boolean;
}

export type FaultEndpoint = 'token' | 'refresh' | 'revoke' | 'resource' | 'check';
export const FAULT_ENDPOINTS: readonly FaultEndpoint[] = ['token', 'refresh', 'revoke', 'resource', 'check'];

export type Fault =
	| { type: 'status'; status: number; body?: string; contentType?: string }
	| { type: 'rateLimit'; retryAfter: number }
	| { type: 'delay'; ms: number }
	/** HTML error page, text/html; status defaults to 502 (pass 200 for a "success" page) */
	| { type: 'html'; status?: number }
	| { type: 'malformedJson' }
	| { type: 'noToken' }
	| { type: 'reset' }
	| { type: 'expires'; value: unknown }
	/** a 3xx pointing elsewhere (status defaults to 307) */
	| { type: 'redirect'; status?: number; location: string }
	/** 200 and a JSON start, then one byte every intervalMs, for ever (or `bytes` bytes) */
	| { type: 'trickle'; intervalMs: number; bytes?: number }
	/** a success whose access token is `length` characters long */
	| { type: 'hugeToken'; length: number }
	/** a 200 body of `bytes` bytes, sent as fast as the socket takes it */
	| { type: 'hugeBody'; bytes: number }
	/**
	 * the normal answer (the call goes on and counts: a login opens its session), with `text`
	 * appended to the body, as a proxy or a debug footer does: the body no longer parses as JSON
	 */
	| { type: 'trailer'; text: string };

export interface FaultSpec {
	service: EmulatedService;
	endpoint: FaultEndpoint;
	count: number;
	fault: Fault;
}

export interface Counters {
	logins: number;
	refreshes: number;
	revokes: number;
	failedLogins: number;
	failedRefreshes: number;
	rateLimited: number;
	apiAccepted: number;
	apiRejected: number;
	/** token checks (FortiCloud IAM verify_token) */
	tokenChecks: number;
	/** every Authorization header value seen on protected resources, in order */
	authorizations: string[];
}

export interface ServiceStats extends Counters {
	users: Record<string, Counters>;
}

export type EmulatorStats = Record<EmulatedService, ServiceStats>;

export interface EmulatorUser {
	username?: string;
	password?: string;
	apiCredential?: string;
}

export interface EmulatorConfigPatch {
	lifetimes?: Record<string, number>;
	rotateRefreshTokens?: boolean;
	rateLimits?: Record<string, RateLimit | null>;
}

export interface EmulatorControl {
	stats(): EmulatorStats;
	reset(): void;
	expireAll(service?: EmulatedService): void;
	revokeAll(service?: EmulatedService): void;
	addUser(service: EmulatedService, user: EmulatorUser): void;
	setLifetime(key: string, seconds: number): void;
	setRefreshRotation(on: boolean): void;
	setRateLimit(clientId: string, limit: RateLimit | null): void;
	injectFault(spec: FaultSpec): void;
	clearFaults(): void;
	activeToken(service: EmulatedService, userKey: string): string | undefined;
	/** Sessions open for a user (the appliances and instances); 0 elsewhere */
	openSessions(service: EmulatedService, userKey: string): number;
	/** An emulated appliance's session cap, banner and lockout */
	configureAppliance(service: ApplianceService, patch: Partial<ApplianceSettings>): void;
	/** The emulated FortiGate's settings (firmware, lockout, session cap, trusted hosts, banners) */
	configureFortiOs(patch: Partial<FortiOsSettings>): void;
}

export interface Emulator {
	urls: Record<EmulatedService | 'control', string>;
	/** PEM that verifies the HTTPS listeners (every appliance: FortiAuthenticator, FortiManager, FortiGate, EMS, …) */
	caCertificate: string;
	control: EmulatorControl;
	close(): Promise<void>;
}
