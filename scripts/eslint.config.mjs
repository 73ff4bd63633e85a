// The project scripts (n8n install, demo) are not part of the shipped package either: the same
// plain TypeScript rules as the tests (see test/eslint.config.mjs), found per file by the v10 lookup.
export { default } from '../test/eslint.config.mjs';
