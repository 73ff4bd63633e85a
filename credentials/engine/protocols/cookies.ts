import type { AuthResponse } from '../types';

/**
 * Sessions an appliance keeps in cookies (FortiGate, FortiClient EMS, FortiMail, FortiADC): held
 * as the Cookie header's value, `name=value` pairs joined by "; ", and sent back only to the
 * credential's own origin (requestOptions.withHeaders keeps the user's other cookies).
 */

/** The `name=value` pairs of the cookies an answer set whose names match `names`. */
export function cookiesSet(response: AuthResponse, names: RegExp): string[] {
	const raw = response.headers['set-cookie'];
	const lines = Array.isArray(raw) ? raw : raw ? [raw] : [];
	return lines.map((line) => line.split(';')[0].trim()).filter((pair) => names.test(pair) && pair.includes('='));
}

/** The value of the first pair whose name matches `name`, without the quotes some appliances add. */
export function cookieValue(session: string, name: RegExp): string | undefined {
	const pair = session.split('; ').find((part) => name.test(part.slice(0, part.indexOf('='))));
	return pair?.slice(pair.indexOf('=') + 1).replace(/^"(.*)"$/, '$1');
}
