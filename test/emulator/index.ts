/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test and tool code runs in Node, not inside n8n: Node globals, Node's modules, plain errors are its to use */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { DEMO_ACCOUNTS } from './accounts';
import { ApplianceService as Appliance } from './appliance';
import { CasbService } from './casb';
import { FacService } from './fac';
import type { ApplianceSettings } from './appliance';
import { FgtService, type FortiOsSettings } from './fgt';
import { FmgService } from './fmg';
import { IamService } from './iam';
import {
	emptyCounters,
	EmulatorConfig,
	FaultBook,
	HttpError,
	parseJsonObject,
	readBody,
	sendJson,
	StatsBook,
	validateFaultSpec,
	type ServiceContext,
	type ServiceImpl,
} from './shared';
import type {
	Counters,
	EmulatedService,
	Emulator,
	EmulatorConfigPatch,
	EmulatorControl,
	EmulatorOptions,
	EmulatorStats,
	EmulatorUser,
	RateLimit,
} from './types';
import { SERVICES } from './types';

export type {
	Counters,
	EmulatedService,
	Emulator,
	EmulatorConfigPatch,
	EmulatorControl,
	EmulatorOptions,
	EmulatorStats,
	EmulatorUser,
	Fault,
	FaultEndpoint,
	FaultSpec,
	RateLimit,
	ServiceStats,
} from './types';
export { DEMO_ACCOUNTS } from './accounts';

/** What the emulator counted for one user of one service (all zeros when it never saw the user). */
export function userCounters(stats: EmulatorStats, service: EmulatedService, userKey: string): Counters {
	return stats[service].users[userKey] ?? emptyCounters();
}

type Listener = EmulatedService | 'control';

async function makeCertificate(): Promise<{ key: string; cert: string }> {
	const notBeforeDate = new Date(Date.now() - 60_000);
	const notAfterDate = new Date(Date.now() + 365 * 24 * 3600 * 1000);
	const pems = await generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'Fortinet emulator (demo)' }], {
		keyType: 'rsa',
		keySize: 2048,
		algorithm: 'sha256',
		notBeforeDate,
		notAfterDate,
		extensions: [
			{ name: 'basicConstraints', cA: true, critical: true },
			{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
			{ name: 'extKeyUsage', serverAuth: true },
			{
				name: 'subjectAltName',
				altNames: [
					{ type: 7, ip: '127.0.0.1' },
					{ type: 2, value: 'localhost' },
				],
			},
		],
	});
	return { key: pems.private, cert: pems.cert };
}

function logLine(name: Listener, req: http.IncomingMessage, res: http.ServerResponse, started: number): void {
	const ms = Date.now() - started;
	const status = res.writableFinished ? String(res.statusCode) : 'reset';
	process.stdout.write(`[fortinet-emulator] ${name} ${req.method ?? '?'} ${req.url ?? ''} ${status} ${ms}ms\n`);
}

function listen(server: http.Server | https.Server, host: string, port: number): Promise<number> {
	return new Promise((resolve, reject) => {
		const onError = (err: Error): void => reject(err);
		server.once('error', onError);
		server.listen(port, host, () => {
			server.off('error', onError);
			resolve((server.address() as AddressInfo).port);
		});
	});
}

function closeServer(server: http.Server | https.Server): Promise<void> {
	return new Promise((resolve) => {
		if (!server.listening) {
			resolve();
			return;
		}
		server.close(() => resolve());
		server.closeAllConnections();
	});
}

function pathOf(req: http.IncomingMessage): string {
	try {
		return new URL(req.url ?? '/', 'http://emulator').pathname;
	} catch {
		return '/';
	}
}

function isService(v: unknown): v is EmulatedService {
	return typeof v === 'string' && (SERVICES as readonly string[]).includes(v);
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const host = options.host ?? '127.0.0.1';
	const config = new EmulatorConfig();
	for (const [k, v] of Object.entries(options.lifetimes ?? {})) config.setLifetime(k, v);
	for (const [k, v] of Object.entries(options.rateLimits ?? {})) config.setRateLimit(k, v);
	if (options.rotateRefreshTokens !== undefined) config.rotateRefreshTokens = options.rotateRefreshTokens;
	const stats = new StatsBook();
	const faults = new FaultBook();
	const urls = {} as Record<Listener, string>;

	const ctx = (service: EmulatedService): ServiceContext => ({ service, config, stats, faults, url: () => urls[service] });
	const iam = new IamService(ctx('iam'));
	const iamToken = (token: string) => iam.tokenOwner(token);
	const jsonRpc = {
		fmg: new FmgService(ctx('fmg')),
		fmgCloud: new FmgService(ctx('fmgCloud'), 'FortiManager', iamToken),
		fazCloud: new FmgService(ctx('fazCloud'), 'FortiAnalyzer', iamToken),
	};
	const fgt = new FgtService(ctx('fgt'));
	const appliances = {
		ems: new Appliance(ctx('ems'), 'ems'),
		emsCloud: new Appliance(ctx('emsCloud'), 'emsCloud'),
		fml: new Appliance(ctx('fml'), 'fml'),
		adc: new Appliance(ctx('adc'), 'adc'),
	};
	const fsa = new FmgService(ctx('fsa'), undefined, undefined, 'fsa');
	const services: Record<EmulatedService, ServiceImpl> = {
		iam,
		casb: new CasbService(ctx('casb')),
		cwp: new CasbService(ctx('cwp')),
		fac: new FacService(ctx('fac')),
		...jsonRpc,
		fgt,
		...appliances,
		fsa,
	};
	services.iam.addUser(DEMO_ACCOUNTS.iam);
	services.casb.addUser(DEMO_ACCOUNTS.casb);
	services.cwp.addUser(DEMO_ACCOUNTS.cwp);
	services.fac.addUser(DEMO_ACCOUNTS.fac);
	services.fmg.addUser(DEMO_ACCOUNTS.fmg);
	services.fgt.addUser(DEMO_ACCOUNTS.fgt);
	for (const name of ['ems', 'emsCloud', 'fml', 'adc', 'fsa'] as const) services[name].addUser(DEMO_ACCOUNTS[name]);

	const each = (service: EmulatedService | undefined, fn: (s: ServiceImpl) => void): void => {
		for (const name of SERVICES) if (service === undefined || service === name) fn(services[name]);
	};

	const control: EmulatorControl = {
		stats: () => stats.snapshot(),
		reset: () => {
			stats.reset();
			faults.clear();
			each(undefined, (s) => s.reset());
		},
		expireAll: (service?: EmulatedService) => each(service, (s) => s.expireAll()),
		revokeAll: (service?: EmulatedService) => each(service, (s) => s.revokeAll()),
		addUser: (service: EmulatedService, user: EmulatorUser) => {
			if (!isService(service)) throw new HttpError(400, { error: 'unknown service' });
			if (!user || typeof user !== 'object') throw new HttpError(400, { error: 'user must be an object' });
			services[service].addUser(user);
		},
		setLifetime: (key: string, seconds: number) => config.setLifetime(key, seconds),
		setRefreshRotation: (on: boolean) => {
			config.rotateRefreshTokens = Boolean(on);
		},
		setRateLimit: (clientId: string, limit: RateLimit | null) => config.setRateLimit(clientId, limit),
		injectFault: (spec) => faults.add(spec),
		clearFaults: () => faults.clear(),
		activeToken: (service: EmulatedService, userKey: string) =>
			isService(service) ? services[service].activeToken(userKey) : undefined,
		openSessions: (service: EmulatedService, userKey: string) => {
			const open: Partial<Record<EmulatedService, { openSessions(user: string): number }>> = { ...jsonRpc, fgt, ...appliances, fsa };
			return open[service]?.openSessions(userKey) ?? 0;
		},
		configureFortiOs: (patch: Partial<FortiOsSettings>) => fgt.configure(patch),
		configureAppliance: (service, patch) => {
			if (!(service in appliances)) throw new HttpError(400, { error: 'service must be ems|emsCloud|fml|adc' });
			appliances[service].configure(patch);
		},
	};

	const wrap =
		(name: Listener, handler: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<void>) =>
		(req: http.IncomingMessage, res: http.ServerResponse): void => {
			const started = Date.now();
			if (options.log) res.once('close', () => logLine(name, req, res, started));
			req.on('error', () => undefined);
			res.on('error', () => undefined);
			handler(req, res, pathOf(req)).catch((err: unknown) => {
				if (err instanceof HttpError) {
					sendJson(res, err.status, err.body, err.headers);
				} else {
					sendJson(res, 500, { error: 'emulator_error', error_description: String(err) });
				}
			});
		};

	const controlHandler = async (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> => {
		const method = req.method ?? 'GET';
		const text = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
		const body = (): Record<string, unknown> =>
			text.trim() ? parseJsonObject(text, { error: 'invalid JSON body' }) : {};
		const serviceArg = (b: Record<string, unknown>): EmulatedService | undefined => {
			if (b.service === undefined || b.service === null) return undefined;
			if (!isService(b.service)) throw new HttpError(400, { error: `service must be ${SERVICES.join('|')}` });
			return b.service;
		};
		const ok = (extra: Record<string, unknown> = {}): void => sendJson(res, 200, { ok: true, ...extra });
		const route = `${method} ${path.replace(/\/+$/, '') || '/'}`;
		switch (route) {
			case 'GET /':
				return ok({ urls });
			case 'GET /stats':
				return sendJson(res, 200, control.stats());
			case 'POST /reset':
				control.reset();
				return ok();
			case 'POST /expire':
				control.expireAll(serviceArg(body()));
				return ok();
			case 'POST /revoke':
				control.revokeAll(serviceArg(body()));
				return ok();
			case 'POST /users': {
				const b = body();
				const service = serviceArg(b);
				if (!service) throw new HttpError(400, { error: 'service is required' });
				control.addUser(service, b.user as EmulatorUser);
				return ok();
			}
			case 'POST /config': {
				const b = body() as EmulatorConfigPatch & Record<string, unknown>;
				if (b.lifetimes !== undefined) {
					if (!b.lifetimes || typeof b.lifetimes !== 'object') throw new HttpError(400, { error: 'lifetimes must be an object' });
					for (const [k, v] of Object.entries(b.lifetimes)) control.setLifetime(k, v);
				}
				if (b.rotateRefreshTokens !== undefined) {
					if (typeof b.rotateRefreshTokens !== 'boolean') throw new HttpError(400, { error: 'rotateRefreshTokens must be a boolean' });
					control.setRefreshRotation(b.rotateRefreshTokens);
				}
				if (b.rateLimits !== undefined) {
					if (!b.rateLimits || typeof b.rateLimits !== 'object') throw new HttpError(400, { error: 'rateLimits must be an object' });
					for (const [k, v] of Object.entries(b.rateLimits)) control.setRateLimit(k, v);
				}
				return ok();
			}
			case 'POST /fortios':
				control.configureFortiOs(body() as Partial<FortiOsSettings>);
				return ok({ settings: fgt.settings });
			case 'POST /appliance': {
				const b = body();
				control.configureAppliance(b.service as keyof typeof appliances, (b.settings ?? {}) as Partial<ApplianceSettings>);
				return ok({ settings: appliances[b.service as keyof typeof appliances].settings });
			}
			case 'POST /faults':
				control.injectFault(validateFaultSpec(body()));
				return ok();
			case 'DELETE /faults':
				control.clearFaults();
				return ok();
			case 'GET /active-token': {
				const q = new URL(req.url ?? '/', 'http://emulator').searchParams;
				const service = q.get('service');
				const user = q.get('user') ?? '';
				if (!isService(service)) throw new HttpError(400, { error: `service must be ${SERVICES.join('|')}` });
				return sendJson(res, 200, { token: control.activeToken(service, user) ?? null });
			}
			case 'GET /open-sessions': {
				const q = new URL(req.url ?? '/', 'http://emulator').searchParams;
				const service = q.get('service');
				if (!isService(service)) throw new HttpError(400, { error: `service must be ${SERVICES.join('|')}` });
				return sendJson(res, 200, { sessions: control.openSessions(service, q.get('user') ?? '') });
			}
			default:
				throw new HttpError(404, { error: 'not found' });
		}
	};

	const { key, cert } = await makeCertificate();
	const servers: Record<Listener, http.Server | https.Server> = {
		iam: http.createServer(wrap('iam', (q, s, p) => services.iam.handle(q, s, p))),
		casb: http.createServer(wrap('casb', (q, s, p) => services.casb.handle(q, s, p))),
		cwp: http.createServer(wrap('cwp', (q, s, p) => services.cwp.handle(q, s, p))),
		fac: https.createServer({ key, cert }, wrap('fac', (q, s, p) => services.fac.handle(q, s, p))),
		// An appliance with a self-signed certificate, like FortiAuthenticator; the cloud instances
		// are plain HTTP on loopback (their real certificates are public ones).
		fmg: https.createServer({ key, cert }, wrap('fmg', (q, s, p) => services.fmg.handle(q, s, p))),
		fmgCloud: http.createServer(wrap('fmgCloud', (q, s, p) => services.fmgCloud.handle(q, s, p))),
		fazCloud: http.createServer(wrap('fazCloud', (q, s, p) => services.fazCloud.handle(q, s, p))),
		// A FortiGate's admin HTTPS, self-signed like any appliance out of the box.
		fgt: https.createServer({ key, cert }, wrap('fgt', (q, s, p) => services.fgt.handle(q, s, p))),
		// The other appliances, self-signed too; EMS Cloud is a cloud service (plain HTTP on loopback).
		ems: https.createServer({ key, cert }, wrap('ems', (q, s, p) => services.ems.handle(q, s, p))),
		emsCloud: http.createServer(wrap('emsCloud', (q, s, p) => services.emsCloud.handle(q, s, p))),
		fml: https.createServer({ key, cert }, wrap('fml', (q, s, p) => services.fml.handle(q, s, p))),
		adc: https.createServer({ key, cert }, wrap('adc', (q, s, p) => services.adc.handle(q, s, p))),
		fsa: https.createServer({ key, cert }, wrap('fsa', (q, s, p) => services.fsa.handle(q, s, p))),
		control: http.createServer(wrap('control', controlHandler)),
	};
	for (const server of Object.values(servers)) {
		server.on('clientError', (_err, socket) => {
			if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
			else socket.destroy();
		});
		server.on('tlsClientError', () => undefined);
		server.keepAliveTimeout = 5_000;
	}

	const hostForUrl = host.includes(':') ? `[${host}]` : host;
	const names: Listener[] = ['control', ...SERVICES];
	try {
		for (const name of names) {
			const port = await listen(servers[name], host, options.ports?.[name] ?? 0);
			urls[name] = `${servers[name] instanceof https.Server ? 'https' : 'http'}://${hostForUrl}:${port}`;
		}
	} catch (err) {
		await Promise.all(Object.values(servers).map(closeServer));
		throw err;
	}

	let closed: Promise<void> | undefined;
	return {
		urls,
		caCertificate: cert,
		control,
		close: () => {
			closed ??= Promise.all(Object.values(servers).map(closeServer)).then(() => undefined);
			return closed;
		},
	};
}
