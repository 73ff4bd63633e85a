/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tool code runs in Node, not inside n8n: Node globals, Node's modules, console output are its to use */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { emulatorPorts } from '../../scripts/demo/settings';
import { DEMO_ACCOUNTS, startEmulator, type EmulatorOptions } from './index';

const USAGE = `Usage: npm run emulator -- [options]
  --port-base N        control N, iam N+1, casb N+2, cwp N+3, fac N+4, fmg N+5,
                       fmgCloud N+6, fazCloud N+7, fgt N+8, ems N+9, emsCloud N+10,
                       fml N+11, adc N+12, fsa N+13 (default 9400,
                       or env FORTINET_EMULATOR_PORT_BASE)
  --host H             listen address (default 127.0.0.1)
  --lifetime key=sec   access-token lifetime; key = an IAM client_id, casb or cwp; or the
                       session idle timeout of an appliance or instance: fmg, fmgCloud,
                       fazCloud, fgt, ems, emsCloud, fml, adc, fsa (repeatable)
  --no-rotate          IAM refresh keeps the old refresh_token (no new one returned)
  --ca-out PATH        where to write the FortiAuthenticator CA PEM (default: in the OS temp dir)
  --log                one line per request
  --help`;

function fail(msg: string): never {
	console.error(`${msg}\n\n${USAGE}`);
	process.exit(2);
}

function parseArgs(argv: string[]): { options: EmulatorOptions; portBase: number; caOut?: string } {
	const options: EmulatorOptions = { lifetimes: {} };
	let portBase = Number(process.env.FORTINET_EMULATOR_PORT_BASE ?? 9400);
	let caOut: string | undefined;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
		const value = (): string => {
			const v = inline ?? argv[++i];
			if (v === undefined) fail(`${flag} needs a value`);
			return v;
		};
		switch (flag) {
			case '--port-base':
				portBase = Number(value());
				break;
			case '--host':
				options.host = value();
				break;
			case '--lifetime': {
				const v = value();
				const eq = v.lastIndexOf('=');
				const seconds = Number(v.slice(eq + 1));
				if (eq <= 0 || !(seconds > 0)) fail(`--lifetime wants key=seconds, got "${v}"`);
				(options.lifetimes as Record<string, number>)[v.slice(0, eq)] = seconds;
				break;
			}
			case '--no-rotate':
				options.rotateRefreshTokens = false;
				break;
			case '--ca-out':
				caOut = resolve(value());
				break;
			case '--log':
				options.log = true;
				break;
			case '--help':
			case '-h':
				console.log(USAGE);
				process.exit(0);
				break;
			default:
				fail(`unknown argument "${arg}"`);
		}
	}
	if (!Number.isInteger(portBase) || portBase < 1 || portBase > 65522) fail('port base must be an integer 1..65522');
	options.ports = emulatorPorts(portBase);
	return { options, portBase, caOut };
}

async function main(): Promise<void> {
	const { options, caOut } = parseArgs(process.argv.slice(2));
	const emu = await startEmulator(options);
	const caPath = caOut ?? join(tmpdir(), `fortinet-emulator-fac-ca-${emu.urls.fac.split(':').pop() ?? 'x'}.pem`);
	writeFileSync(caPath, emu.caCertificate);

	console.log('Fortinet emulator running (loopback, in-memory, fake accounts)');
	console.log(`  iam      ${emu.urls.iam}   FortiCloud IAM: POST /api/v1/oauth/token/, /api/v1/oauth/revoke_token/`);
	console.log(`  casb     ${emu.urls.casb}   FortiCASB: POST /api/v1/auth/token, /api/v1/auth/credentials/token/, /api/v1/auth/token/refresh`);
	console.log(`  cwp      ${emu.urls.cwp}   FortiCWP: same paths as casb`);
	console.log(`  fac      ${emu.urls.fac}  FortiAuthenticator: POST /api/fabric/authenticate (self-signed TLS)`);
	console.log(`  fmg      ${emu.urls.fmg}  FortiManager / FortiAnalyzer: POST /jsonrpc (sys/login/user, sessions; self-signed TLS, same CA)`);
	console.log(`  fmgCloud ${emu.urls.fmgCloud}   FortiManager Cloud instance: POST /p/forticloud_jsonrpc_login/, /jsonrpc`);
	console.log(`  fazCloud ${emu.urls.fazCloud}   FortiAnalyzer Cloud instance: same paths as fmgCloud`);
	console.log(`  control  ${emu.urls.control}   GET /stats, POST /reset|/expire|/revoke|/users|/config|/faults, DELETE /faults`);
	console.log(`  FAC CA PEM written to ${caPath}`);
	console.log('Demo accounts:');
	console.log(`  iam   username=${DEMO_ACCOUNTS.iam.username} password=${DEMO_ACCOUNTS.iam.password} (any known client_id)`);
	for (const s of ['casb', 'cwp'] as const) {
		const a = DEMO_ACCOUNTS[s];
		console.log(`  ${s.padEnd(5)} username=${a.username} password=${a.password} apiCredential=${a.apiCredential}`);
	}
	console.log(`  fac   username=${DEMO_ACCOUNTS.fac.username} password=${DEMO_ACCOUNTS.fac.password}`);
	console.log(`  fmg   username=${DEMO_ACCOUNTS.fmg.username} password=${DEMO_ACCOUNTS.fmg.password} apiKey=${DEMO_ACCOUNTS.fmg.apiCredential}`);
	console.log('  fmgCloud / fazCloud: the iam API user (client_id FortiManager / FortiAnalyzer)');
	console.log('Ctrl-C to stop.');

	let stopping = false;
	const stop = (signal: string): void => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: stopping emulator`);
		emu.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
	console.error(`emulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
	process.exit(1);
});
