/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tool code runs in Node, not inside n8n: Node globals, Node's modules are its to use */
/** The README's first lines, counts, ports and names hold for the code as it is. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EMULATOR_PORT_COUNT, WORKFLOW_NAMES, DEMO_CREDENTIAL_IDS } from '../../scripts/demo/settings';
import { CREDENTIAL_TYPES } from '../support/services';

const repo = join(__dirname, '..', '..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const development = readFileSync(join(repo, 'docs', 'DEVELOPMENT.md'), 'utf8');
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen'];

test('the first lines give the demo and the whole suite, and CI runs that suite', () => {
	const top = readme.split('\n').slice(0, 8).join('\n');
	expect(top).toContain('npm install && npm start');
	expect(top).toContain('npm install && npm test');
	expect(readFileSync(join(repo, '.ci', 'run'), 'utf8')).toMatch(/^npm test\b/m);
});

test('counts: credential types, demo credentials and workflows', () => {
	const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { n8n: { credentials: string[] } };
	expect(readme).toContain(`${WORDS[pkg.n8n.credentials.length]} credential types`);
	expect(Object.keys(DEMO_CREDENTIAL_IDS)).toHaveLength(CREDENTIAL_TYPES.length);
	expect(development).toContain(`and ${WORDS[Object.keys(WORKFLOW_NAMES).length]} workflows`);
	expect(development).toContain(`each type (${WORDS[CREDENTIAL_TYPES.length]})`);
});

test('ports: the emulator range is what the demo opens', () => {
	const range = `9400–${9400 + EMULATOR_PORT_COUNT - 1}`;
	expect(development).toContain(range);
	expect(development).toContain(`127.0.0.1:${range.replace('–', '-')}`);
	const stale = new RegExp(`9400[-–](?!${9400 + EMULATOR_PORT_COUNT - 1})\\d{4}`);
	for (const text of [readme, development]) expect(text).not.toMatch(stale);
});

test('every credential type has its row, by display name and type name', () => {
	for (const type of CREDENTIAL_TYPES) expect(readme).toMatch(new RegExp(`\\*\\*[^*]+\\*\\* \\(\`${type}\`\\)`));
});

test('the first workflow names the demo credential by the id the demo gives it', () => {
	expect(readme).toContain(`"id": "${DEMO_CREDENTIAL_IDS.fortiLanCloudApi}", "name": "FortiLAN Cloud (emulator)"`);
});
