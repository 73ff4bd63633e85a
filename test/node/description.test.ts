/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: child processes and evaluated expressions, Node globals, Node's modules are its to use */
/** The node's static description: what n8n's editor and loader read. */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import {
	SERVICES,
} from '../../credentials/engine';
import { FortinetToken } from '../../nodes/FortinetToken/FortinetToken.node';
import { shownText } from '../support/editor';
import { CREDENTIAL_TYPES } from '../support/services';

const dir = join(__dirname, '..', '..', 'nodes', 'FortinetToken');
const { description } = new FortinetToken();

function property(name: string) {
	const found = description.properties.filter((p) => p.name === name);
	expect(found.length).toBeGreaterThan(0);
	return found;
}

/** Evaluates the subtitle expression the way the editor does for plain JS expressions. */
function subtitle(operation: string, service: string): string {
	const expression = String(description.subtitle);
	expect(expression.startsWith('={{') && expression.endsWith('}}')).toBe(true);
	const body = expression.slice(3, -2);
	const evaluate = new Function('$parameter', `return (${body});`) as (p: Record<string, string>) => string;
	return evaluate({ operation, service });
}

/** The credential class of a type name, as n8n's loader finds it. */
function credentialClass(type: string): { displayName: string; properties: unknown[] } {
	const className = type.charAt(0).toUpperCase() + type.slice(1);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const module = require(`../../credentials/${className}.credentials`) as Record<string, new () => { displayName: string; properties: unknown[] }>;
	return new module[className]();
}

/** Every text n8n's editor shows of a property tree: names, descriptions, hints, placeholders, options. */
function shownTexts(value: unknown, path = ''): Array<{ path: string; text: string }> {
	if (Array.isArray(value)) return value.flatMap((entry, index) => shownTexts(entry, `${path}[${index}]`));
	if (value === null || typeof value !== 'object') return [];
	const texts: Array<{ path: string; text: string }> = [];
	for (const [key, entry] of Object.entries(value)) {
		if (['displayName', 'name', 'description', 'hint', 'placeholder', 'action'].includes(key) && typeof entry === 'string') {
			texts.push({ path: `${path}.${key}`, text: entry });
		} else if (['options', 'values'].includes(key)) {
			texts.push(...shownTexts(entry, `${path}.${key}`));
		}
	}
	return texts;
}

/** The editor renders these texts as HTML: a "<" left once its tags are gone starts text that disappears. */
function lostText(texts: Array<{ path: string; text: string }>): string[] {
	return texts.filter(({ text }) => shownText(text).includes('<')).map(({ path, text }) => `${path}: ${text}`);
}

describe('Fortinet Token node description', () => {
	test('identity, version and package registration', () => {
		expect(description.name).toBe('fortinetToken');
		expect(description.displayName).toBe('Fortinet Token');
		expect(description.version).toBe(1);
		const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
		expect(pkg.n8n.nodes).toContain('dist/nodes/FortinetToken/FortinetToken.node.js');
	});

	test('every credential type the package declares and the engine serves has a row in the test table', () => {
		const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { n8n: { credentials: string[] } };
		const declared = pkg.n8n.credentials.map((file) => /([A-Za-z]+)\.credentials\.js$/.exec(file)?.[1] ?? file);
		const typeName = (className: string) => className.charAt(0).toLowerCase() + className.slice(1);
		expect([...declared.map(typeName)].sort()).toEqual([...CREDENTIAL_TYPES].sort());
		expect(Object.keys(SERVICES).sort()).toEqual([...CREDENTIAL_TYPES].sort());
	});

	test('each credential type is named "<its service label> API" (what the Custom API Call answer names)', () => {
		for (const type of CREDENTIAL_TYPES) expect(credentialClass(type).displayName).toBe(`${SERVICES[type].label} API`);
	});

	test('no text in angle brackets that the editor would swallow as an HTML tag', () => {
		expect(lostText([{ path: 'self-check', text: 'requests go to <Base URL>/jsonrpc' }])).toHaveLength(1);
		expect(lostText([{ path: 'self-check', text: 'see <a href="https://x">docs</a>, <b>bold</b>' }])).toEqual([]);
		const texts = [
			...shownTexts(description.properties, 'node'),
			...CREDENTIAL_TYPES.flatMap((type) => shownTexts(credentialClass(type).properties, type)),
		];
		expect(texts.length).toBeGreaterThan(50);
		expect(lostText(texts)).toEqual([]);
	});

	test('light and dark icons are different files that exist', () => {
		const icon = description.icon as { light: string; dark: string };
		expect(icon.light).not.toBe(icon.dark);
		for (const file of [icon.light, icon.dark]) {
			expect(file.startsWith('file:')).toBe(true);
			expect(existsSync(join(dir, file.slice('file:'.length)))).toBe(true);
		}
	});

	test('codex file', () => {
		const codex = JSON.parse(readFileSync(join(dir, 'FortinetToken.node.json'), 'utf8')) as Record<string, unknown>;
		expect(codex).toMatchObject({
			node: 'n8n-nodes-fortinet-token.fortinetToken',
			nodeVersion: '1.0',
			codexVersion: '1.0',
			categories: ['Development'],
			resources: {
				primaryDocumentation: [{ url: 'https://github.com/n8n-nodes-fortinet-token/n8n-nodes-fortinet-token#fortinet-token-node' }],
			},
		});
	});

	test('the codex aliases name every Fortinet product of the credentials', () => {
		const { alias } = JSON.parse(readFileSync(join(dir, 'FortinetToken.node.json'), 'utf8')) as { alias: string[] };
		const products = Object.values(SERVICES).flatMap((service) => service.label.match(/Forti[A-Za-z]+/g) ?? []);
		expect(products).toEqual(expect.arrayContaining(['FortiManager', 'FortiAnalyzer', 'FortiSASE']));
		expect(alias).toEqual(expect.arrayContaining(products));
	});

	test('Revoke Token shows exactly one notice per credential type, saying what that service does', () => {
		const notices = description.properties.filter((p) => p.type === 'notice' && p.displayOptions?.show?.operation?.includes('revokeToken'));
		for (const type of CREDENTIAL_TYPES) {
			const shown = notices.filter((notice) => (notice.displayOptions?.show?.service as string[]).includes(type));
			expect(shown).toHaveLength(1);
		}
		const text = (type: string) => notices.find((n) => (n.displayOptions?.show?.service as string[]).includes(type))?.displayName;
		expect(text('fortiCasbApi')).toContain('no revoke call');
		expect(text('fortiLanCloudApi')).toContain('Revokes the access and refresh tokens');
		expect(text('fortiManagerApi')).toContain('sys/logout');
	});

	test('not offered to AI agents: its output is access tokens', () => {
		expect(description.usableAsTool).toBeFalsy();
	});

	test('the Service parameter selects one of the fourteen credentials, each required', () => {
		const [service] = property('service');
		const values = (service.options as Array<{ value: string }>).map((o) => o.value).sort();
		expect(values).toEqual(Object.keys(SERVICES).sort());
		expect(values).toHaveLength(14);
		expect(description.credentials?.map((c) => c.name).sort()).toEqual(values);
		for (const credential of description.credentials ?? []) {
			expect(credential.required).toBe(true);
			expect(credential.displayOptions).toEqual({ show: { service: [credential.name] } });
		}
	});

	test('operations and their options', () => {
		const [operation] = property('operation');
		expect((operation.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['getToken', 'refreshToken', 'revokeToken']);
		const options = property('options');
		const byOperation = Object.fromEntries(
			options.map((o) => [
				(o.displayOptions?.show?.operation as string[])[0],
				(o.options as Array<{ name: string; default: unknown }>).map((x) => [x.name, x.default]),
			]),
		);
		expect(byOperation).toEqual({
			getToken: [
				['forceNewLogin', false],
				['includeRefreshToken', false],
			],
			refreshToken: [['includeRefreshToken', false]],
		});
	});

	test('the subtitle shows operation and service', () => {
		expect(subtitle('getToken', 'fortiLanCloudApi')).toBe('Get Token: FortiLAN Cloud');
		expect(subtitle('revokeToken', 'fortiCloudIamApi')).toBe('Revoke Token: FortiCloud IAM');
		expect(subtitle('refreshToken', 'fortiAuthenticatorApi')).toBe('Refresh Token: FortiAuthenticator');
	});
});
