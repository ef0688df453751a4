// Writes docs/CONFIG.md from the schema: `npm run docs:config`.
import { writeFileSync } from 'node:fs';
import { configMarkdown } from '../src/config/doc.js';

writeFileSync(new URL('../docs/CONFIG.md', import.meta.url), configMarkdown());
