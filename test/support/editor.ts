/** The tags n8n's editor renders in descriptions, hints and notices; any other "<word>" vanishes. */
const RENDERED_TAGS = /<\/?(a|b|i|br|code|strong|em)(\s[^>]*)?\/?>/g;

/** The text a user reads of a description: the rendered tags gone, whitespace collapsed. */
export function shownText(description: string): string {
	return description.replace(RENDERED_TAGS, '').replace(/\s+/g, ' ').trim();
}
