// The project scripts (n8n install, demo) are not part of the shipped package: they are linted with
// ordinary TypeScript rules here, not with n8n's community-node rules (which the package's own
// eslint.config.mjs applies, unmodified, to credentials/ and nodes/). Found per file because
// `npm run lint` runs ESLint with the v10 config lookup (ESLINT_FLAGS=v10_config_lookup_from_file).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(js.configs.recommended, ...tseslint.configs.recommended, {
	languageOptions: {
		parserOptions: { tsconfigRootDir: import.meta.dirname },
		// Node.js programs (tests, tools): its globals are theirs to use.
		globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', __dirname: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
	},
}, {
	files: ['**/*.ts'],
	rules: {
		'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
	},
});
