/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL past
 * `wal_autocheckpoint` pages: it copies every page back into the database and fsyncs both files on the thread
 * that serves every session (stalls of up to ~110 ms every few MB written, measured on this 2-core machine). Here
 * a worker thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` (https://sqlite.org/wal.html#ckpt:
 * never waits for readers or writers) whenever commits happened since its last pass, and the store's connection
 * keeps an automatic checkpoint only as a backstop, far above what the worker lets the WAL reach. If the worker
 * fails, the backstop drops back to SQLite's default so the WAL can never grow without bound.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { storeLimits } from '../../lib/limits.js';
import type { Db } from './db.js';

/** The worker's code (CommonJS, evaluated as is: no build step, the same under tsx and from dist/). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.message || e) });
  }
});
`;

/** SQLite's default `wal_autocheckpoint`, restored if the worker goes away. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

export interface CheckpointPass {
  ok: boolean;
  /** WAL frames, and how many of them are now in the database file. */
  log?: number;
  checkpointed?: number;
  error?: string;
}

export class BackgroundCheckpointer {
  readonly #worker: Worker;
  readonly #timer: NodeJS.Timeout;
  #seenFlushes = -1;
  #inFlight = false;
  #alive = true;
  /** Passes completed (tests, metrics); `last` is the most recent one. */
  passes = 0;
  last: CheckpointPass | null = null;

  constructor(
    private readonly db: Db,
    path: string,
  ) {
    db.pragma(`wal_autocheckpoint = ${storeLimits.walBackstopPages}`);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, busyTimeoutMs: 1000 } });
    this.#worker.unref();
    this.#worker.on('message', (m: CheckpointPass) => {
      this.#inFlight = false;
      this.passes++;
      this.last = m;
    });
    const down = (): void => {
      if (!this.#alive) return;
      this.#alive = false;
      this.#inFlight = false;
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    };
    this.#worker.on('error', down);
    this.#worker.on('exit', down);
    this.#timer = setInterval(() => this.tick(), storeLimits.walCheckpointIntervalMs);
    this.#timer.unref();
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Asks for a pass when something was committed since the last one and no pass is running. */
  tick(): void {
    if (!this.#alive || this.#inFlight) return;
    const flushes = this.db.wal.flushes;
    if (flushes === this.#seenFlushes) return;
    this.#seenFlushes = flushes;
    this.#inFlight = true;
    this.#worker.postMessage('checkpoint');
  }

  /** For tests: end the worker as a crash would. */
  async kill(): Promise<void> {
    this.#worker.ref(); // keep the process up until it has gone
    await this.#worker.terminate();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    if (!this.#alive) return;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.ref(); // keep the process up until the worker has closed its connection
    this.#worker.postMessage('stop');
    await exited;
  }
}
