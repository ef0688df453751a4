#!/usr/bin/env node
// The `outpost` command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('outpost: not built yet; run `npm install` (or `npm run build`) in the project folder\n');
  process.exit(1);
}
const { run } = await import(main);
process.exitCode = await run(process.argv);
