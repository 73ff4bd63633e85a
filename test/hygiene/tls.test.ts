/**
 * TLS choices of the FortiAuthenticator credential (self-signed appliance certificate), through
 * n8n's credential store and n8n-core's real request path: refused by default, accepted with the
 * per-credential "Ignore SSL Issues" option or with the appliance's CA, refused with another CA.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { generate } from 'selfsigned';

import {
	fortiAuthenticator,
	getToken,
} from '../../credentials/engine';
import { Execution, n8nHelpers, StoredCredential } from '../support/n8n';
import { caseOf } from '../support/services';
import type { TestUser } from '../support/services';
import { countersOf } from '../faults/support';
import { errorOf, shownText } from '../support/errors';
import { useEmulator } from '../support/emulator';

const fac = caseOf('fortiAuthenticatorApi');
const emulator = useEmulator();
let otherCa: string;

beforeAll(async () => {
	const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
	otherCa = pems.cert;
});

function credential(patch: ICredentialDataDecryptedObject): { user: TestUser; stored: StoredCredential } {
	const user = fac.newUser(emulator);
	return { user, stored: new StoredCredential(fac.credential(), { ...fac.data(emulator, user), ...patch }) };
}

const TLS_MESSAGE = /FortiAuthenticator at https:\/\/127\.0\.0\.1:\d+ presented a TLS certificate that is not trusted/;

test('refused by default: a TLS message, and the login never reached the appliance', async () => {
	const { user, stored } = credential({ caCertificate: '', ignoreSSLIssues: false });
	const error = await errorOf(new Execution(stored).request(fac.resource(emulator)));
	expect(shownText(error)).toMatch(TLS_MESSAGE);
	expect(countersOf(emulator, fac, user)).toMatchObject({ logins: 0, failedLogins: 0, apiAccepted: 0 });
	expect(stored.data.sessionToken).toBe('');
	// The node's path says the same.
	await expect(getToken(fortiAuthenticator, stored.load(), n8nHelpers)).rejects.toThrow(TLS_MESSAGE);
});

test('refused with a CA that is not the appliance\'s: the login never reaches the appliance', async () => {
	const { user, stored } = credential({ caCertificate: otherCa, ignoreSSLIssues: false });
	const error = await errorOf(new Execution(stored).request(fac.resource(emulator)));
	expect(shownText(error)).toMatch(/FortiAuthenticator/);
	expect(countersOf(emulator, fac, user)).toMatchObject({ logins: 0, apiAccepted: 0 });
});

// With a CA the engine uses n8n's legacy `request` helper, which throws n8n's own NodeSslError
// ("SSL Issue: consider using the 'Ignore SSL issues' option", no `code`): it must still be
// reported as an untrusted certificate, so the user knows the CA they entered is the wrong one.
test.each([
	{ name: 'another CA', ca: () => otherCa },
	{ name: 'a PEM that is not a certificate', ca: () => '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
])('with $name the message says the certificate is not trusted', async ({ ca }) => {
	const { stored } = credential({ caCertificate: ca(), ignoreSSLIssues: false });
	const error = await errorOf(new Execution(stored).request(fac.resource(emulator)));
	expect(shownText(error)).toMatch(TLS_MESSAGE);
});

test('accepted with "Ignore SSL Issues": token call and API call alike', async () => {
	const { user, stored } = credential({ caCertificate: '', ignoreSSLIssues: true });
	await new Execution(stored).request(fac.resource(emulator));
	await new Execution(stored).request(fac.resource(emulator));
	expect(countersOf(emulator, fac, user)).toMatchObject({ logins: 1, apiAccepted: 2, apiRejected: 0 });
});

test('accepted with the appliance\'s CA: token call and API call alike', async () => {
	const { user, stored } = credential({ caCertificate: emulator.caCertificate, ignoreSSLIssues: false });
	await new Execution(stored).request(fac.resource(emulator));
	await new Execution(stored).request(fac.resource(emulator));
	expect(countersOf(emulator, fac, user)).toMatchObject({ logins: 1, apiAccepted: 2, apiRejected: 0 });
});

test('a cached token does not bypass verification: the same account without the option is still refused', async () => {
	const trusted = credential({ caCertificate: emulator.caCertificate });
	await new Execution(trusted.stored).request(fac.resource(emulator));
	// Same account and URL (the same cache identity), verification on and no CA: the cached token
	// must not carry the other credential's TLS choice; the API call is refused by TLS.
	const strict = new StoredCredential(fac.credential(), { ...fac.data(emulator, trusted.user), caCertificate: '', ignoreSSLIssues: false });
	const error = await errorOf(new Execution(strict).request(fac.resource(emulator)));
	expect(shownText(error)).toMatch(/certificate|TLS|self-signed|self signed/i);
	expect(countersOf(emulator, fac, trusted.user).apiAccepted).toBe(1);
});
