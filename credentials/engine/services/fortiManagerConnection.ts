import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { tokenError } from '../errors';
import { SESSION_CHECK_SECONDS } from '../defaults';
import { optionalText } from '../fields';

/** The "Check Session After (Seconds)" field: 0 checks before every request. */
export function sessionCheckMs(credentials: ICredentialDataDecryptedObject, label: string): number {
	const raw = optionalText(credentials, 'sessionCheckSeconds');
	if (raw === '') return SESSION_CHECK_SECONDS * 1000;
	const seconds = Number(raw);
	if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
		throw tokenError(
			'configuration',
			`"Check Session After (Seconds)" of the ${label} credential must be a number of seconds from 0 to 86400.`,
		);
	}
	return seconds * 1000;
}
