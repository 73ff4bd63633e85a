import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { tokenError } from '../errors';
import { optionalText } from '../fields';

/** How long a session FortiManager confirmed is trusted before the next check, when the field is empty. */
export const DEFAULT_SESSION_CHECK_SECONDS = 30;

/** The "Check Session After (Seconds)" field: 0 checks before every request. */
export function sessionCheckMs(credentials: ICredentialDataDecryptedObject, label: string): number {
	const raw = optionalText(credentials, 'sessionCheckSeconds');
	if (raw === '') return DEFAULT_SESSION_CHECK_SECONDS * 1000;
	const seconds = Number(raw);
	if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
		throw tokenError(
			'configuration',
			`"Check Session After (Seconds)" of the ${label} credential must be a number of seconds from 0 to 86400.`,
		);
	}
	return seconds * 1000;
}
