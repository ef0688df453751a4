/** Generates docs/CONFIG.md from the schema, so the documentation cannot drift from what the loader accepts. */
import { SCHEMA } from './schema.js';

const escape = (s: string) => s.replace(/\|/g, '\\|');

export function configMarkdown(): string {
  const out: string[] = [
    '# outpost.toml',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; a test fails when this file is stale. -->',
    '',
    'Outpost reads one TOML file, `outpost.toml`, in its data directory (`--data DIR`, `OUTPOST_DATA`, default',
    '`./outpost-data`). It is validated at start-up: an unknown section or key, or a bad value, stops Outpost with a',
    'message naming the key, the value and the fix. Relative paths are relative to the data directory.',
    '',
  ];
  for (const [name, section] of Object.entries(SCHEMA)) {
    out.push(`## [${name}]`, '', section.doc, '', '| key | type | default | meaning |', '|---|---|---|---|');
    for (const [key, f] of Object.entries(section.fields)) {
      const type = f.kind === 'enum' ? f.values!.map((v) => `"${v}"`).join(' \\| ') : f.kind;
      out.push(`| \`${key}\` | ${type} | ${escape(f.defaultText)} | ${escape(f.doc)} |`);
    }
    const e = section.entries;
    if (e) out.push(`| *${e.keyDoc}* | ${e.kind} | ${escape(e.defaultText)} | ${escape(e.doc)} |`);
    out.push('');
  }
  return out.join('\n');
}
