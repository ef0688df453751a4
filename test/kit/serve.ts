/** Starts the real `outpost serve` as a child process and watches its output. */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './cli.js';

export interface ServeProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout matches (or rejects when the process exits first / after the timeout). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** JSON log lines seen so far. */
  logs(): Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<number | null>;
}

export function startServe(dataDir: string, env: NodeJS.ProcessEnv = {}): ServeProcess {
  const child = spawn(process.execPath, [BIN, '--data', dataDir, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d) => {
    out += d;
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) return finish(() => resolve(m));
          if (child.exitCode !== null || child.signalCode !== null)
            finish(() => reject(new Error(`serve exited (${child.exitCode}) before ${pattern}: ${err}${out}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`timeout waiting for ${pattern}; output: ${out} ${err}`))), timeoutMs);
        const finish = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return (await exited).code;
    },
  };
}
