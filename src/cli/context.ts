/** What every CLI verb shares: where the data directory is, the services on it, output and password input. */
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { createServices, type Services } from '../app/services.js';
import { UserError } from '../lib/errors.js';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

export const DEFAULT_DATA_DIR = './outpost-data';

export function dataDir(opts: { data?: string }, env: NodeJS.ProcessEnv): string {
  return resolve(opts.data ?? env.OUTPOST_DATA ?? DEFAULT_DATA_DIR);
}

/** Opens the services on the data directory for one verb and closes them afterwards. */
export async function withServices<T>(dir: string, fn: (s: Services) => Promise<T>): Promise<T> {
  const services = createServices(loadConfig(dir));
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

/** Reads a password: the first line of standard input with --password-stdin, else a prompt on the terminal. */
export async function readPassword(io: CliIo, fromStdin: boolean, prompt: string, confirm: boolean): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(c as Buffer);
    const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (line.length === 0) throw new UserError('invalid', 'no password on standard input');
    return line;
  }
  if (!io.stdin.isTTY) throw new UserError('invalid', 'no terminal to ask for a password: pipe it in with --password-stdin');
  const first = await promptHidden(io, prompt);
  if (confirm && (await promptHidden(io, 'Repeat it: ')) !== first) throw new UserError('invalid', 'the two passwords differ');
  return first;
}

function promptHidden(io: CliIo, prompt: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const stdin = io.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UserError('cancelled', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolvePromise(value);
    };
    stdin.on('data', onData);
  });
}

export const formatBytes = (n: number): string => {
  if (n === 0) return '0';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
};
