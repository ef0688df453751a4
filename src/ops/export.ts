/**
 * `outpost export`: one mailbox's folders to a Maildir++ tree that Dovecot and mutt read, or to mbox files (mboxrd).
 *
 * Maildir: INBOX is the root, other folders `.Name.Sub`; file names `<time>.U<uidvalidity>_<uid>.outpost,S=<size>,
 * W=<crlf size>:2,<flags>` with mtime = INTERNALDATE; keywords in each folder's dovecot-keywords; a dovecot-uidlist
 * keeps our UIDVALIDITY and UIDs, so Dovecot serves the same UIDs and IMAP clients need not download again.
 * Resumable: a file whose base name is already there is not written again (only its flags are brought up to date).
 * mbox: one `<folder>.mbox` per folder, written to a temporary file and renamed into place.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { opsLimits } from '../lib/limits.js';
import type { Folder, Mailbox, MessageEntry, Store } from '../store/types.js';
import { TemporaryError } from '../lib/errors.js';
import { baseOfName, dirOfFolder, formatDovecotKeywords, infoOfFlags } from './formats/maildir.js';
import { formatMboxMessage } from './formats/mbox.js';
import type { Progress } from './progress.js';

export type ExportFormat = 'maildir' | 'mbox';

export interface ExportSummary {
  written: number;
  skipped: number;
  folders: number;
  /** Keywords a Maildir folder could not hold (Dovecot allows 26 per folder). */
  droppedKeywords: string[];
  ms: number;
}

export async function countEntries(store: Store, mailbox: Mailbox): Promise<number> {
  let n = 0;
  for (const f of await store.listFolders(mailbox.id)) n += (await store.folderStatus(f.id)).messages;
  return n;
}

export async function exportMailbox(store: Store, mailbox: Mailbox, dir: string, format: ExportFormat, progress: Progress, now: () => number = Date.now): Promise<ExportSummary> {
  const t0 = now();
  const folders = await store.listFolders(mailbox.id);
  const dropped = new Set<string>();
  let written = 0;
  let skipped = 0;
  mkdirSync(dir, { recursive: true });
  for (const folder of folders) {
    const entries = await store.listEntries(folder.id);
    const r = format === 'maildir' ? await maildirFolder(store, folder, entries, dir, progress, dropped) : await mboxFolder(store, folder, entries, dir, progress);
    written += r.written;
    skipped += r.skipped;
  }
  if (format === 'maildir')
    writeFileSync(join(dir, 'subscriptions'), folders.filter((f) => f.subscribed && f.name !== 'INBOX').map((f) => `${f.name.replace(/\//g, '.')}\n`).join(''));
  progress.finish();
  return { written, skipped, folders: folders.length, droppedKeywords: [...dropped], ms: now() - t0 };
}

async function body(store: Store, e: MessageEntry): Promise<Buffer> {
  const raw = await store.blobs.get(e.blobId);
  if (!raw) throw new TemporaryError('missing-body', `the body of UID ${e.uid} is missing from the store`);
  return raw;
}

async function maildirFolder(store: Store, folder: Folder, entries: MessageEntry[], root: string, progress: Progress, dropped: Set<string>) {
  const dir = join(root, dirOfFolder(folder.name));
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const existing = new Map<string, string>();
  // Files of an earlier export, by the part of their name that never changes (before `,S=` and the flags).
  for (const sub of ['cur', 'new']) for (const name of readdirSync(join(dir, sub))) existing.set(baseOfName(name).split(',')[0]!, join(dir, sub, name));
  const keywordsFile = join(dir, 'dovecot-keywords');
  const keywordIndex: string[] = [];
  // Keep the letters an earlier export gave (so files already written keep meaning the same keywords).
  if (existsSync(keywordsFile))
    for (const line of readFileSync(keywordsFile, 'utf8').split('\n')) {
      const m = /^(\d+) (\S+)$/.exec(line);
      if (m) keywordIndex[Number(m[1])] = m[2]!;
    }
  const uidlist: string[] = [];
  let written = 0;
  let skipped = 0;
  // Files are written to tmp/, fsync'd together (the disk merges the flushes), then renamed into cur/.
  let pending: Array<{ tmp: string; cur: string }> = [];
  const settle = async () => {
    await mapLimit(pending, FSYNC_CONCURRENCY, (p) => fsyncPath(p.tmp));
    for (const p of pending) renameSync(p.tmp, p.cur);
    for (let i = 0; i < pending.length; i++) progress.step();
    pending = [];
  };
  for (const e of entries) {
    const base = `${Math.floor(e.internalDate / 1000)}.U${folder.uidValidity}_${e.uid}.outpost`;
    const { info, dropped: lost } = infoOfFlags(e.flags, keywordIndex);
    for (const k of lost) dropped.add(k);
    const had = existing.get(base);
    if (had) {
      const target = join(dir, 'cur', `${baseOfName(had.split('/').pop()!)}${info}`);
      if (had !== target) renameSync(had, target);
      uidlist.push(`${e.uid} :${baseOfName(target.split('/').pop()!)}`);
      skipped++;
      progress.step(true);
      continue;
    }
    const lf = toLf(await body(store, e));
    const name = `${base},S=${lf.length},W=${e.size}`;
    const tmp = join(dir, 'tmp', name);
    writeFileSync(tmp, lf);
    const seconds = e.internalDate / 1000;
    utimesSync(tmp, seconds, seconds);
    pending.push({ tmp, cur: join(dir, 'cur', `${name}${info}`) });
    uidlist.push(`${e.uid} :${name}`);
    written++;
    if (pending.length >= opsLimits.importBatchMessages) await settle();
  }
  await settle();
  await fsyncPath(join(dir, 'cur'));
  writeFileSync(keywordsFile, formatDovecotKeywords(keywordIndex.filter((k) => k !== undefined)));
  writeFileSync(join(dir, 'dovecot-uidlist'), `3 V${folder.uidValidity} N${folder.uidNext}\n${uidlist.map((l) => `${l}\n`).join('')}`);
  return { written, skipped };
}

async function mboxFolder(store: Store, folder: Folder, entries: MessageEntry[], root: string, progress: Progress) {
  const file = join(root, `${folder.name}.mbox`);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  const fd = openSync(tmp, 'w');
  try {
    for (const e of entries) {
      const raw = await body(store, e);
      writeSync(fd, formatMboxMessage(raw, e.flags, e.internalDate, returnPath(raw)));
      progress.step();
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return { written: entries.length, skipped: 0 };
}

function returnPath(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const m = /^Return-Path:\s*<([^>\s]*)>/im.exec(raw.subarray(0, end === -1 ? raw.length : end).toString('latin1'));
  return m?.[1] ?? '';
}

function toLf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

/** Parallel flushes let the file system commit several files per journal write. */
const FSYNC_CONCURRENCY = 32;

async function fsyncPath(path: string): Promise<void> {
  const h = await open(path, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
