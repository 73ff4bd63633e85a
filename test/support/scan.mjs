// Runs the lint leg of n8n's community-package verification (@n8n/scan-community-package's
// analyzePackage, inline ESLint configuration ignored) on a folder, as n8n runs it on the source
// checkout ("source") and on the unpacked npm tarball ("tarball"). ESM-only, hence a child process.
// usage: node test/support/scan.mjs <dir> source|tarball   → one JSON line; exit 0 when it passed
import path from 'node:path';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const [dir = '.', mode = 'source'] = process.argv.slice(2);
const patterns = mode === 'tarball' ? ['**/*.js', 'package.json'] : SOURCE_FILE_PATTERNS;
const result = await analyzePackage(path.resolve(dir), patterns);
const { error, ...printable } = result;
process.stdout.write(`${JSON.stringify({ ...printable, error: error?.message })}\n`);
process.exit(result.passed ? 0 : 1);
