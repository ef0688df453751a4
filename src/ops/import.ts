/**
 * `outpost import`: mail from a Maildir (Dovecot's Maildir++ with sub-folders, or mutt's single maildir) or from
 * mbox files into one mailbox, keeping folders, flags, keywords and dates.
 *
 * - Fast: messages are delivered in batches through `MailStore.deliver`, whose group commit writes a whole batch in
 *   one transaction (one fsync) while every message keeps its own UID in source order.
 * - Resumable: before a folder is filled, the SHA-256 of every message it already holds is counted (the BlobStore
 *   names bodies by it); a source message whose exact bytes are already there that many times is skipped. An import
 *   stopped half-way (Ctrl-C, a crash, a full disk) is simply run again.
 * - Dates: Maildir → the file's mtime (Dovecot keeps the received date there), falling back to the newest Received
 *   header, then Date; mbox → the From_ line's date, then Received, then Date.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Mailbox, Store } from '../store/types.js';
import { UserError } from '../lib/errors.js';
import { opsLimits } from '../lib/limits.js';
import { extractMeta, parseDate } from '../mail/meta.js';
import { flagsOfName, folderOfDir, parseDovecotKeywords, baseOfName } from './formats/maildir.js';
import { splitMbox, type MboxVariant } from './formats/mbox.js';
import type { Progress } from './progress.js';

export interface ImportItem {
  folder: string;
  /** Reads the message: CRLF bytes, IMAP flags and keywords, INTERNALDATE. */
  load(): { raw: Buffer; flags: string[]; date: number };
}

export interface ImportSource {
  kind: 'maildir' | 'mbox';
  folders: string[];
  /** How many messages `items()` yields. */
  count: number;
  /** The messages in source order, read lazily: one mbox file in memory at a time, one maildir file per item. */
  items(): Iterable<ImportItem>;
}

export interface ImportOptions {
  /** For a single mbox file or a single maildir without sub-folders: the folder to fill (default INBOX). */
  folder?: string;
  mboxVariant?: MboxVariant;
}

/** Finds what PATH holds: a maildir (cur/new), a single mbox file, or a directory of mbox files. */
export function openSource(path: string, opts: ImportOptions = {}): ImportSource {
  if (!existsSync(path)) throw new UserError('not-found', `nothing at ${path}`);
  const st = statSync(path);
  if (st.isFile()) return mboxSource([{ file: path, folder: opts.folder ?? 'INBOX' }], opts.mboxVariant);
  if (isMaildir(path)) return maildirSource(path, opts.folder ?? 'INBOX');
  const files = mboxFiles(path);
  if (files.length === 0) throw new UserError('invalid', `${path} holds neither a maildir (cur/ and new/) nor mbox files`);
  return mboxSource(files.map((f) => ({ file: f, folder: relative(path, f).replace(/\.mbox$/i, '').split(/[\\/]/).join('/') })), opts.mboxVariant);
}

const isMaildir = (dir: string) => existsSync(join(dir, 'cur')) && existsSync(join(dir, 'new'));

function maildirSource(root: string, rootFolder: string): ImportSource {
  const dirs: Array<{ dir: string; folder: string }> = [{ dir: root, folder: rootFolder }];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const folder = e.isDirectory() ? folderOfDir(e.name) : null;
    if (folder && isMaildir(join(root, e.name))) dirs.push({ dir: join(root, e.name), folder });
  }
  const items: ImportItem[] = [];
  for (const { dir, folder } of dirs) {
    const keywordsFile = join(dir, 'dovecot-keywords');
    const keywords = existsSync(keywordsFile) ? parseDovecotKeywords(readFileSync(keywordsFile, 'utf8')) : new Map<number, string>();
    const files = [...listFiles(join(dir, 'cur')), ...listFiles(join(dir, 'new'))];
    for (const file of orderMaildir(dir, files)) {
      items.push({
        folder,
        load: () => {
          const raw = toCrlf(readFileSync(file));
          const mtime = statSync(file).mtimeMs;
          return { raw, flags: flagsOfName(basename(file), keywords), date: mtime > 0 ? Math.floor(mtime / 1000) * 1000 : headerDate(raw) };
        },
      });
    }
  }
  return { kind: 'maildir', folders: [...new Set(dirs.map((d) => d.folder))], count: items.length, items: () => items };
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name));
}

/**
 * Source order: Dovecot's dovecot-uidlist gives each file its UID, so imported UIDs follow the original order;
 * files it does not list (or mutt's maildirs, which have none) follow by the time in their names.
 */
function orderMaildir(dir: string, files: string[]): string[] {
  const uidOf = new Map<string, number>();
  const list = join(dir, 'dovecot-uidlist');
  if (existsSync(list)) {
    for (const line of readFileSync(list, 'utf8').split('\n').slice(1)) {
      const m = /^(\d+)\b.*?:(\S+)$/.exec(line);
      if (m) uidOf.set(baseOfName(m[2]!), Number(m[1]));
    }
  }
  const timeOf = (f: string) => Number(/^(\d+)/.exec(basename(f))?.[1] ?? 0);
  return files
    .map((f) => ({ f, uid: uidOf.get(baseOfName(basename(f))) ?? Number.MAX_SAFE_INTEGER, t: timeOf(f), name: basename(f) }))
    .sort((a, b) => a.uid - b.uid || a.t - b.t || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((x) => x.f);
}

function mboxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...mboxFiles(p));
    else if (e.isFile() && looksLikeMbox(p)) out.push(p);
  }
  return out.sort();
}

function looksLikeMbox(file: string): boolean {
  const head = readFileSync(file).subarray(0, 5).toString('latin1');
  return head === 'From ' || statSync(file).size === 0;
}

function mboxSource(files: Array<{ file: string; folder: string }>, variant: MboxVariant = 'mboxrd'): ImportSource {
  // A first pass counts (for the progress bar) and checks every file before anything is imported.
  let count = 0;
  for (const { file } of files) {
    const data = readFileSync(file);
    if (data.length > 0 && data.subarray(0, 5).toString('latin1') !== 'From ') throw new UserError('invalid', `${file} is not an mbox file (it does not begin with "From ")`);
    for (const _ of splitMbox(data, variant)) count++;
  }
  function* items(): Generator<ImportItem> {
    for (const { file, folder } of files)
      for (const m of splitMbox(readFileSync(file), variant)) yield { folder, load: () => ({ raw: m.raw, flags: m.flags, date: m.date ?? headerDate(m.raw) }) };
  }
  return { kind: 'mbox', folders: [...new Set(files.map((f) => f.folder))], count, items };
}

/** LF → CRLF (maildirs hold LF; the store keeps messages as they travel, with CRLF). */
export function toCrlf(data: Buffer): Buffer {
  if (!data.includes(0x0a)) return data;
  const out: Buffer[] = [];
  let pos = 0;
  for (let i = data.indexOf(0x0a); i !== -1; i = data.indexOf(0x0a, i + 1)) {
    const crlf = i > 0 && data[i - 1] === 0x0d;
    out.push(data.subarray(pos, crlf ? i - 1 : i), CRLF);
    pos = i + 1;
  }
  out.push(data.subarray(pos));
  return Buffer.concat(out);
}
const CRLF = Buffer.from('\r\n');

/** The newest Received header's date, else Date, else the epoch. */
function headerDate(raw: Buffer): number {
  const end = raw.indexOf('\r\n\r\n');
  const header = raw.subarray(0, end === -1 ? raw.length : end).toString('latin1').replace(/\r\n[ \t]+/g, ' ');
  const received = /^Received:[^\n]*;\s*([^\r\n]+)/im.exec(header);
  const parsed = received ? parseDate(received[1]!) : null;
  return parsed ?? extractMeta(raw).date ?? 0;
}

export interface ImportSummary {
  imported: number;
  skipped: number;
  folders: number;
  ms: number;
  perSecond: number;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Imports `source` into `mailbox`, batch by batch; `progress` is stepped once per message. */
export async function importInto(store: Store, mailbox: Mailbox, source: ImportSource, progress: Progress, now: () => number = Date.now): Promise<ImportSummary> {
  const t0 = now();
  // What each folder already holds, by content hash (resume).
  const have = new Map<string, Map<string, number>>();
  for (const name of source.folders) {
    let folder = await store.getFolder(mailbox.id, name);
    folder ??= await store.createFolder(mailbox.id, name, null);
    const counts = new Map<string, number>();
    for (const e of await store.listEntries(folder.id)) counts.set(e.blobId, (counts.get(e.blobId) ?? 0) + 1);
    have.set(name, counts);
  }
  let batch: Array<{ raw: Buffer; flags: string[]; date: number; folder: string }> = [];
  let batchBytes = 0;
  const flush = async () => {
    // Called synchronously one after the other: the store's group commit makes the batch one transaction.
    const pending = batch.map((m) =>
      store.deliver({ raw: m.raw, meta: extractMeta(m.raw), receivedAt: m.date, targets: [{ mailboxId: mailbox.id, folder: m.folder, flags: m.flags }], queue: [] }),
    );
    batch = [];
    batchBytes = 0;
    await Promise.all(pending);
    for (let i = 0; i < pending.length; i++) progress.step();
  };
  for (const item of source.items()) {
    const m = item.load();
    if (m.raw.length > opsLimits.importMessageMaxBytes) throw new UserError('invalid', `a message in ${item.folder} is larger than ${opsLimits.importMessageMaxBytes} bytes`);
    const counts = have.get(item.folder)!;
    const id = sha256(m.raw);
    const n = counts.get(id) ?? 0;
    if (n > 0) {
      counts.set(id, n - 1);
      progress.step(true);
      continue;
    }
    batch.push({ ...m, folder: item.folder });
    batchBytes += m.raw.length;
    if (batch.length >= opsLimits.importBatchMessages || batchBytes >= opsLimits.importBatchBytes) await flush();
  }
  if (batch.length > 0) await flush();
  progress.finish();
  const ms = Math.max(1, now() - t0);
  return { imported: progress.done, skipped: progress.skipped, folders: source.folders.length, ms, perSecond: Math.round(((progress.done + progress.skipped) * 1000) / ms) };
}
