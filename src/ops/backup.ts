/**
 * Backups of the embedded store. Every byte Outpost keeps about mail (accounts, folders, messages and their bodies,
 * flags, UIDs, queue, DKIM keys, events) is in the one SQLite file, so a backup is one consistent copy of it:
 *
 * - `backupDatabase` uses SQLite's online backup API (better-sqlite3 `backup()`) in ONE step, which reads a single
 *   snapshot while `outpost serve` keeps writing (WAL: readers never block the writer, the writer never blocks us).
 *   A copy in several steps would restart whenever the server commits, and might never finish on a busy server.
 *   The copy is written beside the target, fsync'd, checked (`PRAGMA integrity_check`), then renamed into place.
 * - `restoreDatabase` checks a backup the same way and puts it in place of a data directory's store, refusing to
 *   overwrite a store unless told to, and a backup made by a newer Outpost (schema newer than this code knows).
 *
 * The configuration (outpost.toml) and TLS files are not in the database; docs/OPERATIONS.md says to copy them.
 * PostgreSQL deployments use pg_dump or a base backup instead (docs/OPERATIONS.md).
 */
import { existsSync, renameSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../lib/errors.js';
import { fsyncPath } from '../lib/fsync.js';
import { migrations } from '../store/sqlite/migrations.js';

export interface BackupSummary {
  file: string;
  bytes: number;
  schemaVersion: number;
  mailboxes: number;
  folders: number;
  messages: number;
  ms: number;
}

/** How long the backup waits for a lock the server holds (a checkpoint) before failing. */
const BUSY_TIMEOUT_MS = 10_000;

export async function backupDatabase(source: string, target: string, now: () => number = Date.now): Promise<BackupSummary> {
  const t0 = now();
  if (!existsSync(source)) throw new UserError('not-found', `no store at ${source}: is this the right data directory?`);
  if (!existsSync(dirname(target))) throw new UserError('invalid', `the directory ${dirname(target)} does not exist`);
  const partial = join(dirname(target), `.${basename(target)}.partial`);
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // One step (all pages): one read snapshot, consistent, never restarted by the server's commits.
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
  try {
    const facts = check(partial);
    fsyncPath(partial);
    renameSync(partial, target);
    fsyncPath(dirname(target));
    return { file: target, bytes: statSync(target).size, ...facts, ms: now() - t0 };
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

export interface RestoreSummary {
  schemaVersion: number;
  mailboxes: number;
  folders: number;
  messages: number;
}

/** Puts a checked backup in place of the store at `target` (which must not be in use by `outpost serve`). */
export function restoreDatabase(backup: string, target: string, opts: { replace: boolean }): RestoreSummary {
  if (!existsSync(backup)) throw new UserError('not-found', `no backup file at ${backup}`);
  if (existsSync(target) && !opts.replace)
    throw new UserError('exists', `a store already exists at ${target}; stop \`outpost serve\` and add --replace to overwrite it (what it holds now is lost)`);
  const facts = check(backup);
  const partial = join(dirname(target), `.${basename(target)}.restoring`);
  copyFileSync(backup, partial);
  fsyncPath(partial);
  // The old store's write-ahead log belongs to the old file: left behind, SQLite would replay it into the new one.
  for (const f of [target, `${target}-wal`, `${target}-shm`]) rmSync(f, { force: true });
  renameSync(partial, target);
  fsyncPath(dirname(target));
  return facts;
}

/** Checks a database file is a whole, uncorrupted Outpost store this version can open; counts what it holds. */
function check(file: string): Omit<BackupSummary, 'file' | 'bytes' | 'ms'> {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new UserError('invalid', `${file} is not a database: ${(e as Error).message}`);
  }
  try {
    let integrity: string;
    try {
      integrity = db.pragma('integrity_check', { simple: true }) as string;
    } catch (e) {
      throw new UserError('invalid', `${file} is not an Outpost backup: ${(e as Error).message}`);
    }
    if (integrity !== 'ok') throw new UserError('invalid', `${file} is damaged: ${integrity}`);
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const newest = Math.max(...migrations.map((m) => m.version));
    if (schemaVersion < 1) throw new UserError('invalid', `${file} is not an Outpost store (no schema version)`);
    if (schemaVersion > newest)
      throw new UserError('invalid', `${file} was made by a newer Outpost (store version ${schemaVersion}, this one knows up to ${newest}): upgrade first`);
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { schemaVersion, mailboxes: count('mailboxes'), folders: count('folders'), messages: count('entries') };
  } finally {
    db.close();
  }
}
