/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node's modules are its to use */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import * as http from 'node:http';
import * as https from 'node:https';
import { DEMO_ACCOUNTS, startEmulator, type Emulator, type EmulatorOptions } from './index';
import { sleep } from '../support/time';

export { DEMO_ACCOUNTS };

/** axios that never throws on status and never reuses sockets (so faults hit a fresh connection). */
export function client(caCertificate?: string): AxiosInstance {
	return axios.create({
		validateStatus: () => true,
		httpAgent: new http.Agent({ keepAlive: false }),
		httpsAgent: new https.Agent({ keepAlive: false, ca: caCertificate }),
		timeout: 10_000,
	});
}

export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
	return startEmulator(options);
}

export { sleep };

export function form(fields: Record<string, string>): URLSearchParams {
	return new URLSearchParams(fields);
}

export async function iamLogin(
	http: AxiosInstance,
	emu: Emulator,
	clientId: string,
	account: { username: string; password: string } = DEMO_ACCOUNTS.iam,
): Promise<AxiosResponse> {
	return http.post(`${emu.urls.iam}/api/v1/oauth/token/`, {
		username: account.username,
		password: account.password,
		client_id: clientId,
		client_secret: '',
		grant_type: 'password',
	});
}

export async function iamRefresh(http: AxiosInstance, emu: Emulator, clientId: string, refreshToken: string): Promise<AxiosResponse> {
	return http.post(`${emu.urls.iam}/api/v1/oauth/token/`, {
		client_id: clientId,
		grant_type: 'refresh_token',
		refresh_token: refreshToken,
	});
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
	const part = token.split('.')[1] ?? '';
	return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
