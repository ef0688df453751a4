/** A fresh data directory initialised through the real CLI, with every listener on a free loopback port. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LISTENER_ROLES, type ListenerRole } from '../../src/config/schema.js';
import { outpost } from './cli.js';
import { freePorts } from './ports.js';

export interface TestDataDir {
  dir: string;
  ports: Record<ListenerRole, number>;
  postmaster: string;
  postmasterPassword: string;
}

export async function makeDataDir(opts: { hostname?: string; domain?: string; dns?: string[] } = {}): Promise<TestDataDir> {
  const dir = join(mkdtempSync(join(tmpdir(), 'outpost-test-')), 'data');
  const hostname = opts.hostname ?? 'mail.example.test';
  const domain = opts.domain ?? 'example.test';
  const r = await outpost(['--data', dir, 'init', '--hostname', hostname, '--domain', domain, '--dns', ...(opts.dns ?? ['127.0.0.1:1'])]);
  if (r.code !== 0) throw new Error(`init failed: ${r.stderr}`);
  const password = /password[^:]*: (\S+)$/m.exec(r.stdout)?.[1];
  if (!password) throw new Error(`no password in init output: ${r.stdout}`);
  const free = await freePorts(LISTENER_ROLES.length);
  const ports = Object.fromEntries(LISTENER_ROLES.map((role, i) => [role, free[i]!])) as Record<ListenerRole, number>;
  const file = join(dir, 'outpost.toml');
  let text = readFileSync(file, 'utf8');
  for (const role of LISTENER_ROLES) text = text.replace(new RegExp(`^(${role}\\s*=\\s*)"[^"]*"`, 'm'), `$1"127.0.0.1:${ports[role]}"`);
  writeFileSync(file, text);
  return { dir, ports, postmaster: `postmaster@${domain}`, postmasterPassword: password };
}

/** Rewrites one line of outpost.toml (for tests of bad configuration). */
export function editConfig(dir: string, edit: (text: string) => string): void {
  const file = join(dir, 'outpost.toml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}
