// Tests, the emulator and the benchmarks are not part of the shipped package: they are linted with
// ordinary TypeScript rules here, not with n8n's community-node rules (which the package's own
// eslint.config.mjs applies, unmodified, to credentials/ and nodes/). Found per file because
// `npm run lint` runs ESLint with the v10 config lookup (ESLINT_FLAGS=v10_config_lookup_from_file).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(js.configs.recommended, ...tseslint.configs.recommended, {
	languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
}, {
	files: ['**/*.ts'],
	rules: {
		'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
	},
});
