/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: emulator fixtures, Node's modules are its to use */
/**
 * No secret follows a redirect, redaction covers every encoding the engine sends, and every token
 * call is bounded (issue "tokens that die out of sight", points 10-13). A second loopback server
 * plays "another host" and records everything it receives.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { generate } from 'selfsigned';

import { SERVICES } from '../../credentials/engine';
import { redact } from '../../credentials/engine/errors';
import { clearTokenCache } from '../../credentials/engine/testing';
import type { Fault } from '../emulator';
import { Execution, StoredCredential } from '../support/n8n';
import { caseOf, SERVICE_CASES } from '../support/services';
import type { ServiceCase } from '../support/services';
import { messageOf } from '../support/errors';
import { useEmulator } from '../support/emulator';

interface Seen {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/** "Another host": answers 200 to everything and remembers what it got. */
class Elsewhere {
	readonly seen: Seen[] = [];
	url = '';
	private server!: http.Server | https.Server;

	async start(tls: boolean): Promise<this> {
		const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ access_token: 'stolen-looking-token-0000', expires_in: 3600, refresh_token: 'r-0000000000' }));
			});
		};
		if (tls) {
			const pems = await generate([{ name: 'commonName', value: 'elsewhere' }], { keySize: 2048, algorithm: 'sha256' });
			this.server = https.createServer({ key: pems.private, cert: pems.cert }, handler);
		} else {
			this.server = http.createServer(handler);
		}
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}

const emulator = useEmulator({ emulator: { rateLimits: { fortilancloud: null, fortiedgecloud: null } }, settings: { timeoutMs: 1000, maxRetryAfterMs: 0 } });
let plain: Elsewhere;
let secure: Elsewhere;

beforeAll(async () => {
	plain = await new Elsewhere().start(false);
	secure = await new Elsewhere().start(true);
});
afterAll(async () => await Promise.all([plain.close(), secure.close()]));
beforeEach(() => {
	plain.seen.length = 0;
	secure.seen.length = 0;
});

/** FortiAuthenticator in its most trusting setting: certificate checks off for its own host. */
function insecure(service: ServiceCase, data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	return service.type === 'fortiAuthenticatorApi' ? { ...data, ignoreSSLIssues: true, caCertificate: '' } : data;
}

describe('10. token calls never follow a redirect', () => {
	test.each(SERVICE_CASES)('$type: a 307 from the token endpoint to another host is an error naming the service; the other host gets nothing', async (service) => {
		const user = service.newUser(emulator);
		const stored = new StoredCredential(service.credential(), insecure(service, service.data(emulator, user)));
		const target = service.type === 'fortiAuthenticatorApi' ? secure : plain;
		emulator.control.injectFault({ service: service.emulated, endpoint: 'token', count: 2, fault: { type: 'redirect', location: `${target.url}/steal` } });
		const text = await messageOf(new Execution(stored).request(service.resource(emulator)));
		expect(text).toContain(`${service.label} answered the token request with a redirect (HTTP 307 to ${target.url})`);
		expect(target.seen).toEqual([]);
		expect(text).not.toContain(user.password);
	});
});

describe('11. API calls: neither the Bearer nor the TLS exception goes to another host', () => {
	test.each(SERVICE_CASES)('$type: a redirect of the API call to another host is not followed', async (service) => {
		const user = service.newUser(emulator);
		const stored = new StoredCredential(service.credential(), insecure(service, service.data(emulator, user)));
		await new Execution(stored).request(service.resource(emulator));
		const target = service.type === 'fortiAuthenticatorApi' ? secure : plain;
		const redirect: Fault = { type: 'redirect', status: 302, location: `${target.url}/collect` };
		emulator.control.injectFault({ service: service.emulated, endpoint: 'resource', count: 5, fault: redirect });
		const text = await messageOf(new Execution(stored).request(service.resource(emulator)));
		expect(text).toMatch(/302/);
		expect(target.seen.filter((request) => request.headers.authorization !== undefined)).toEqual([]);
		// With the certificate check off for its own host, nothing at all reached the untrusted one.
		expect(target.seen).toEqual([]);
	});
});

describe('12. redaction covers every encoding the engine sends, before any shortening', () => {
	const secret = 'p@ss word!"é+x/1';

	test('raw, base64, percent-, form-, JSON- (with \\/ and \\u escapes) and HTML-encoded forms are all removed', () => {
		const json = JSON.stringify(secret).slice(1, -1);
		const forms = [
			secret,
			Buffer.from(secret).toString('base64'),
			encodeURIComponent(secret),
			new URLSearchParams({ p: secret }).toString().slice(2),
			json,
			json.replace(/\//g, '\\/'),
			json.replace(/é/g, '\\u00e9'),
			secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;'),
		];
		expect(new Set(forms).size).toBe(8);
		const text = forms.map((form) => `<${form}>`).join(' ');
		const clean = redact(text, [secret]);
		for (const form of forms) expect(clean).not.toContain(form);
		expect(clean).toBe(forms.map(() => '<[redacted]>').join(' '));
	});

	test('a service echoing the password at the cut of a long error body: no part of it shows', async () => {
		const lan = caseOf('fortiLanCloudApi');
		const user = { username: `API-echo-${Date.now()}`, password: secret };
		emulator.control.addUser('iam', user);
		const stored = new StoredCredential(lan.credential(), lan.data(emulator, user));
		for (const form of [new URLSearchParams({ p: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)]) {
			clearTokenCache();
			// The echoed password straddles the 200-character cut of a plain-text error body.
			const body = `${"x".repeat(190)} pw=${form} rejected`;
			emulator.control.injectFault({ service: 'iam', endpoint: 'token', count: 2, fault: { type: 'status', status: 400, body, contentType: 'text/plain' } });
			const text = await messageOf(new Execution(stored).request(lan.resource(emulator)));
			expect(text).toMatch(/FortiLAN Cloud rejected the credentials \(HTTP 400: /);
			for (let length = 4; length <= form.length; length++) expect(text).not.toContain(form.slice(0, length));
		}
	});
});

describe('13. every token call is bounded', () => {
	const flex = caseOf('fortiCloudIamApi');

	async function failing(fault: Fault): Promise<{ text: string; ms: number }> {
		const user = flex.newUser(emulator);
		const stored = new StoredCredential(flex.credential(), flex.data(emulator, user));
		emulator.control.injectFault({ service: 'iam', endpoint: 'token', count: 2, fault });
		const started = Date.now();
		const text = await messageOf(new Execution(stored).request(flex.resource(emulator)));
		return { text, ms: Date.now() - started };
	}

	test('a body trickling one byte every 200 ms is cut at the total deadline (n8n\'s timeout only limits idle time)', async () => {
		const { text, ms } = await failing({ type: 'trickle', intervalMs: 200 });
		expect(text).toMatch(/FortiCloud IAM did not answer within 1 s/);
		// Two attempts (n8n runs the hook again after the failure), each cut at 1 s.
		expect(ms).toBeLessThan(2 * 1000 + 1500);
	});

	test('a token longer than 16 KB is refused with a clear error', async () => {
		const { text } = await failing({ type: 'hugeToken', length: 20 * 1024 });
		expect(text).toMatch(/FortiCloud IAM answered the token request with an access token of 20 KB, over the 16 KB n8n accepts/);
	});

	test('an answer beyond 64 KB is not read to its end', async () => {
		const { text } = await failing({ type: 'hugeBody', bytes: 20 * 1024 * 1024 });
		expect(text).toMatch(/FortiCloud IAM answered the token request with more than 64 KB/);
	});
});

describe('the token goes only where it is meant to', () => {
	test.each(SERVICE_CASES)('$type: a request to another host (a URL built from item data, say) gets no token and a clear error', async (service) => {
		const user = service.newUser(emulator);
		const stored = new StoredCredential(service.credential(), service.data(emulator, user));
		await new Execution(stored).request(service.resource(emulator));
		const text = await messageOf(new Execution(stored).request({ uri: `${plain.url}/collect`, method: 'GET', json: true }));
		expect(text).toContain(`The ${service.label} ${service.keepalive ? 'session' : 'token'} is only sent to the credential's own URL`);
		expect(text).toContain(`${plain.url} is ${SERVICES[service.type].apiDomains.length === 0 ? 'not it' : 'neither'}`);
		expect(plain.seen).toEqual([]);
	});

	test('Fortinet API domains over HTTPS are intended, look-alikes and plain HTTP are not', async () => {
		const { isIntendedHost } = await import('../../credentials/engine/requestOptions');
		const domains = ['fortinet.com', 'forticloud.com', 'fortisase.com'];
		const own = 'https://customerapiauth.fortinet.com';
		expect(isIntendedHost(new URL('https://fortilan.forticloud.com/api/v1/switches'), own, domains)).toBe(true);
		expect(isIntendedHost(new URL('https://portal.prod.fortisase.com/resource-api/v2/x'), own, domains)).toBe(true);
		expect(isIntendedHost(new URL('https://customerapiauth.fortinet.com/api'), own, domains)).toBe(true);
		expect(isIntendedHost(new URL('https://evilforticloud.com/x'), own, domains)).toBe(false);
		expect(isIntendedHost(new URL('https://forticloud.com.evil.example/x'), own, domains)).toBe(false);
		expect(isIntendedHost(new URL('http://fortilan.forticloud.com/x'), own, domains)).toBe(false);
		expect(isIntendedHost(new URL('https://fac.example.com:8443/x'), 'https://fac.example.com', [])).toBe(false);
	});
});
