/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, no-console -- test and tool code runs in Node, not inside n8n: child processes and evaluated expressions, Node's modules, plain errors, console output are its to use */
/**
 * n8n's editor in a real browser (Debian's Chromium driven by playwright-core), against one real
 * n8n with this package installed and one credential of every type pointed at the emulator: what a
 * user sees and clicks in the first hour. Screenshots of failed tests go to
 * <tmp>/fortinet-editor-e2e/ (the path is printed).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Locator, Page } from 'playwright-core';

import { DEMO_CREDENTIAL_IDS } from '../../scripts/demo/settings';
import { startEmulator, userCounters } from '../emulator';
import type { Emulator, EmulatedService } from '../emulator';
import { shownText } from '../support/editor';
import { SERVICE_CASES, SESSION_CASES } from '../support/services';
import type { TestUser } from '../support/services';
import { buildPackage, cleanupAll, ensureN8n, N8nEnv, N8nServer, REPO_ROOT } from './n8n';
import { chain, manualTrigger, tokenNode } from './workflows';
import type { CredentialTypeDescription } from './n8n';

jest.setTimeout(240_000);

const OWNER = { email: 'owner@e2e.test', password: 'E2e-Passw0rd!' };
const SCREENSHOTS = path.join(os.tmpdir(), 'fortinet-editor-e2e');

interface Account {
	type: string;
	label: string;
	emulated: EmulatedService;
	user: TestUser;
	userKey: string;
	id: string;
	name: string;
}

let emulator: Emulator;
let env: N8nEnv;
let server: N8nServer;
let browser: Browser;
let page: Page;
let types: CredentialTypeDescription[];
const accounts: Account[] = [];

function counters(account: Account) {
	return userCounters(emulator.control.stats(), account.emulated, account.userKey);
}

function logins(account: Account): number {
	return counters(account).logins;
}

function accountOf(type: string): Account {
	return accounts.find((account) => account.type === type) as Account;
}

/**
 * The README's first workflow, read from README.md itself: the JSON block after the marker. It
 * points at the demo's emulator port; this test's emulator listens elsewhere, so only that changes.
 */
function readmeWorkflow(): string {
	const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
	const block = /<!-- first-workflow -->\s*```json\n([\s\S]*?)\n```/.exec(readme)?.[1];
	if (!block) throw new Error('README.md has no ```json block after <!-- first-workflow -->');
	expect(block).toContain('http://127.0.0.1:9401/');
	return block.replaceAll('http://127.0.0.1:9401/', `${emulator.urls.iam}/`);
}

function normalized(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

/** Runs a test body; on failure saves a screenshot of the page and says where. */
async function withScreenshot(name: string, body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (error) {
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
		const file = path.join(SCREENSHOTS, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
		await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
		console.error(`editor e2e: screenshot of the failure in ${file}`);
		throw error;
	}
}

function launchBrowser(): Promise<Browser> {
	const install = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-browser.sh')], { encoding: 'utf8' });
	if (install.status !== 0) throw new Error(`install-browser.sh failed:\n${install.stderr}`);
	const executablePath = /chromium=(\S+)/.exec(install.stdout)?.[1] ?? '/usr/bin/chromium';
	// A fresh profile (playwright's default), offline and quiet: nothing of Chromium's own reaches the network.
	const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
	return chromium.launch({ executablePath, args, headless: true });
}

async function signIn(): Promise<void> {
	await page.goto(`${server.baseUrl}/signin`);
	await page.getByLabel('Email').fill(OWNER.email);
	await page.getByLabel('Password').fill(OWNER.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
}

function credentialModal(): Locator {
	return page.locator('[data-test-id=editCredential-modal]');
}

async function closeModal(): Promise<void> {
	// Escape goes to a focused dropdown first: take the focus off the fields, then close.
	await page.mouse.click(5, 5);
	if (await credentialModal().isVisible()) await page.keyboard.press('Escape');
	await credentialModal().waitFor({ state: 'hidden', timeout: 3_000 }).catch(() => undefined);
	if (await credentialModal().isVisible()) await credentialModal().locator('.el-dialog__headerbtn').first().click();
	await credentialModal().waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * Opens a saved credential's form from the credentials list, found with the list's search box as a
 * user does: the list shows one page (10) of credentials, and there are more.
 */
async function openCredential(account: Account): Promise<Locator> {
	await page.goto(`${server.baseUrl}/home/credentials`);
	await page.locator('input[placeholder^="Search"]').first().fill(account.name);
	await page.locator('[data-test-id=resources-list-item]', { hasText: account.name }).first().click();
	const modal = credentialModal();
	await modal.waitFor({ timeout: 20_000 });
	return modal;
}

/** The tooltip of a parameter's help icon, as the user reads it on hover. */
async function tooltipOf(parameter: Locator, name: string): Promise<string> {
	const open = page.locator('[data-test-id=tooltip-content][data-state$=open]');
	for (let attempt = 1; ; attempt++) {
		// Only one tooltip at a time: the previous one has faded out before this hover.
		await open.first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
		await parameter.locator('label').first().hover();
		await parameter.locator('[data-icon=circle-help]').first().hover();
		const shownText = await open.last().waitFor({ timeout: 3_000 }).then(
			async () => normalized(await open.last().innerText()),
			() => '',
		);
		await page.mouse.move(0, 0);
		if (shownText) return shownText;
		if (attempt === 3) throw new Error(`no tooltip opened on the help icon of "${name}"`);
	}
}

/** The options of an options parameter, as the dropdown lists them (name and description). */
async function optionsOf(name: string): Promise<string> {
	await credentialModal().locator(`[data-test-id=parameter-input-${name}]`).click();
	const items = page.locator('.el-select-dropdown__item:visible');
	await items.first().waitFor({ timeout: 5_000 });
	const text = (await items.allInnerTexts()).join(' ');
	await page.keyboard.press('Escape');
	return normalized(text);
}

/** Pastes workflow JSON into the open canvas, as Ctrl-V of copied text does. */
async function paste(json: string): Promise<void> {
	await page.evaluate(`(() => {
		const data = new DataTransfer();
		data.setData('text/plain', ${JSON.stringify(json)});
		document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
	})()`);
}

beforeAll(async () => {
	ensureN8n();
	buildPackage();
	emulator = await startEmulator({ rateLimits: { fortilancloud: null, fortiedgecloud: null } });
	env = await N8nEnv.create({ logLevel: 'info', installPackageFrom: REPO_ROOT });
	const data: Record<string, Record<string, unknown>> = {};
	for (const service of [...SERVICE_CASES, ...SESSION_CASES]) {
		const user = service.newUser(emulator);
		// The FortiLAN Cloud credential is the one the README's example names, with the demo's id.
		const readme = service.type === 'fortiLanCloudApi';
		accounts.push({
			type: service.type,
			label: service.label,
			emulated: service.emulated,
			user,
			userKey: 'userKey' in service ? service.userKey(user) : user.username,
			id: readme ? DEMO_CREDENTIAL_IDS.fortiLanCloudApi : `fortiEditorCred${String(accounts.length).padStart(2, '0')}`,
			name: readme ? 'FortiLAN Cloud (emulator)' : `${service.label} (editor test)`,
		});
		data[service.type] = service.data(emulator, user);
	}
	await env.importCredentials(accounts.map(({ id, name, type }) => ({ id, name, type, data: data[type] })));
	server = await env.startServer();
	await server.setupOwner(OWNER);
	await server.createApiKey();
	types = await server.getTypes('credentials');
	browser = await launchBrowser();
	page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
	await signIn();
}, 15 * 60_000);

afterAll(async () => {
	await browser?.close();
	await env?.cleanup();
	cleanupAll();
	await emulator?.close();
});

describe('the editor in Chromium', () => {
	test('the credential picker lists every Fortinet type; each new form shows its icon', async () => {
		await withScreenshot('picker', async () => {
			for (const account of accounts) {
				const displayName = types.find((t) => t.name === account.type)?.displayName as string;
				await page.goto(`${server.baseUrl}/home/credentials/create`);
				await page.getByPlaceholder('Search for app...').fill('Forti');
				const options = page.locator('[data-test-id=new-credential-type-select-option]');
				await options.first().waitFor();
				expect(await options.allInnerTexts()).toContain(displayName);
				await options.filter({ hasText: new RegExp(`^${displayName.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) }).click();
				await page.getByRole('button', { name: 'Continue' }).click();
				const modal = credentialModal();
				await modal.waitFor();
				await expect(modal.getByText(displayName).first().isVisible()).resolves.toBe(true);
				const icon = modal.locator('img[src*="n8n-nodes-fortinet-token"]').first();
				await icon.waitFor();
				expect(await icon.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
				await closeModal();
			}
		});
	});

	test('each saved credential opens with "Connection tested successfully", twice, at one login at most', async () => {
		await withScreenshot('tested', async () => {
			for (const round of [1, 2]) {
				for (const account of accounts) {
					const before = logins(account);
					const modal = await openCredential(account);
					await modal.getByText('Connection tested successfully').waitFor({ timeout: 30_000 });
					await closeModal();
					// The first test may log in (nothing is stored yet); re-opening reuses that token.
					expect(logins(account)).toBeLessThanOrEqual(1);
					if (round === 2) expect(logins(account)).toBe(before);
				}
			}
		});
	});

	test('no description or option loses text in a credential form', async () => {
		await withScreenshot('texts', async () => {
			for (const account of accounts) {
				type Shown = { name: string; type: string; description?: string; options?: Array<{ name: string; description?: string }> };
				const properties = (types.find((t) => t.name === account.type)?.properties ?? []) as Shown[];
				const modal = await openCredential(account);
				// The test's banner moves the fields down when it appears: hover only after it.
				await modal.getByText('Connection tested successfully').waitFor({ timeout: 30_000 });
				const parameters = modal.locator('[data-test-id=credential-connection-parameter]');
				await parameters.first().waitFor();
				let checked = 0;
				for (const parameter of await parameters.all()) {
					const name = await parameter.locator('[data-test-id]').first().getAttribute('data-test-id');
					const property = properties.find((p) => p.name === name);
					if (!property) continue;
					if (property.description) {
						expect(`${name}: ${await tooltipOf(parameter, String(name))}`).toContain(`${name}: ${shownText(property.description)}`);
						checked++;
					}
					if (property.type === 'options' && property.options?.some((o) => o.description)) {
						const listed = await optionsOf(property.name);
						for (const option of property.options) {
							expect(listed).toContain(shownText(`${option.name} ${option.description ?? ''}`));
						}
					}
				}
				expect(checked).toBeGreaterThan(0);
				await closeModal();
			}
		});
	});

	test('the node panel: the operations, the chosen service\'s revoke notice, and Custom API Call\'s answer', async () => {
		await withScreenshot('node-panel', async () => {
			const lan = accountOf('fortiLanCloudApi');
			const workflow = await server.createWorkflow(
				chain('node panel', [manualTrigger(), tokenNode('Fortinet Token', { id: lan.id, name: lan.name, type: 'fortiLanCloudApi' }, 'getToken')]),
			);
			const before = { ...counters(lan) };
			await page.goto(`${server.baseUrl}/workflow/${workflow.id}`);
			await page.locator('[data-test-id=canvas-node]', { hasText: 'Fortinet Token' }).dblclick();
			const panel = page.locator('[data-test-id=ndv]');
			await panel.waitFor();
			await panel.locator('[data-test-id=parameter-input-operation]').click();
			const items = page.locator('.el-select-dropdown__item:visible');
			await items.first().waitFor();
			const operations = normalized((await items.allInnerTexts()).join(' | '));
			for (const name of ['Get Token', 'Refresh Token', 'Revoke Token', 'Custom API Call']) expect(operations).toContain(name);
			await items.filter({ hasText: 'Revoke Token' }).first().click();
			await panel.getByText('Revokes the access and refresh tokens at FortiCloud IAM').waitFor();
			expect(await panel.getByText('no revoke call').count()).toBe(0);
			await panel.locator('[data-test-id=parameter-input-operation]').click();
			await items.filter({ hasText: 'Custom API Call' }).first().click();
			await panel.getByText('HTTP Request', { exact: false }).first().waitFor();
			await panel.locator('[data-test-id=node-execute-button]').click();
			await page.getByText('Custom API Call runs in the HTTP Request node, not here').first().waitFor({ timeout: 30_000 });
			expect(await page.getByText('__CUSTOM_API_CALL__').count()).toBe(0);
			expect(counters(lan).logins).toBe(before.logins);
			await page.keyboard.press('Escape');
		});
	});

	test('the README\'s first workflow, pasted from README.md, runs green', async () => {
		await withScreenshot('readme-workflow', async () => {
			const lan = accountOf('fortiLanCloudApi');
			const before = { ...counters(lan) };
			await page.goto(`${server.baseUrl}/workflow/new`);
			await page.getByText('Add first step').waitFor({ timeout: 30_000 });
			await paste(readmeWorkflow());
			await page.locator('[data-test-id=canvas-node]').nth(1).waitFor();
			await page.locator('[data-test-id=execute-workflow-button]').click();
			await page.locator('[data-test-id=canvas-node-status-success]').nth(1).waitFor({ timeout: 30_000 });
			expect(await page.getByText('Problem in node').count()).toBe(0);
			expect(counters(lan).apiAccepted).toBe(before.apiAccepted + 1);
			expect(counters(lan).apiRejected).toBe(before.apiRejected);
		});
	});
});
