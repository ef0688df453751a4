/**
 * The selected mailbox as one session sees it: the message sequence numbers (RFC 9051 §2.3.1.2) mapped to UIDs,
 * kept stable while other sessions add, flag and expunge, and the untagged updates owed to the client.
 *
 * Changes arrive on the store's ChangeFeed (after commit) and are only queued there; `sync()` reads what changed
 * from the store, and `drain()` turns it into untagged responses at the moments the RFC allows:
 * - RFC 9051 §7.5.1 / RFC 3501 §7.4.1: EXPUNGE is never sent while answering FETCH, STORE or SEARCH by sequence
 *   number (nor when no command is in progress, IDLE aside). Until then the message keeps its number.
 * - RFC 9051 §7.4.1: EXISTS never decreases; messages not yet expunged to the client still count.
 * - RFC 3501 §2.3.2 / §7.3.2: \Recent is claimed for this session only (store.claimRecent), RECENT follows EXISTS.
 * - RFC 9051 §7.5.2: flag changes made by others are sent as unsolicited FETCH (FLAGS) (with UID).
 * Our own changes are recognised by their mod-sequence and not echoed twice.
 *
 * A 100,000-message folder (issue 6): opening reads the store's compact listing (UID, flags, modseq, INTERNALDATE);
 * where a message's octets are and its size are read only when a command needs them (`loadBlobs`, in batches of
 * imapServerLimits.viewBlobBatch), then kept; ENVELOPE, BODYSTRUCTURE and text come from the store per command.
 */
import { imapServerLimits } from '../lib/limits.js';
import type { CompactEntry, EntryBlob, FolderChange, Store } from '../store/types.js';
import {
  atom,
  data,
  existsResponse,
  expungeResponse,
  list,
  num,
  recentResponse,
  sequenceSetIntervals,
  vanishedResponse,
  type ImapResponse,
  type SequenceSet,
} from '../protocol/imap/index.js';
import type { MessageRecord } from './engine/types.js';
import { ImapBad } from './errors.js';

/** One message of the view. Mutable on purpose: flags and mod-sequence follow the store. */
export interface ViewMessage {
  readonly uid: number;
  flags: readonly string[];
  modSeq: number;
  readonly internalDate: number;
  readonly recent: boolean;
  /** Expunged in the store, not yet announced to this client: keeps its sequence number until then. */
  expunged: boolean;
  /** Its blob and size once a command needed them ({@link SelectedView.loadBlobs}); null when the store no longer has it. */
  blob: EntryBlob | null | undefined;
}

/** A message whose octets are gone (expunged and released by another session since this view was built). */
export class MessageGone extends Error {}

/** A view message as the engine sees it; size and blob id must have been loaded ({@link SelectedView.loadBlobs}). */
class ViewRecord implements MessageRecord {
  constructor(
    private readonly m: ViewMessage,
    readonly seq: number,
  ) {}
  get uid(): number {
    return this.m.uid;
  }
  get flags(): readonly string[] {
    return this.m.flags;
  }
  get modSeq(): number {
    return this.m.modSeq;
  }
  get internalDate(): number {
    return this.m.internalDate;
  }
  get recent(): boolean {
    return this.m.recent;
  }
  get size(): number {
    return this.#blob().size;
  }
  get blobId(): string {
    return this.#blob().blobId;
  }
  #blob(): EntryBlob {
    const b = this.m.blob;
    if (b === undefined) throw new Error(`blob of UID ${this.m.uid} not loaded`);
    if (b === null) throw new MessageGone(`UID ${this.m.uid}`);
    return b;
  }
}

export interface ViewOpenOptions {
  store: Store;
  mailboxId: number;
  folderId: number;
  name: string;
  readOnly: boolean;
}

/** How this session wants updates worded (RFC 7162 §3.1 CONDSTORE and §3.2 QRESYNC, once enabled). */
export interface UpdateStyle {
  /** MODSEQ in every unsolicited FETCH (RFC 7162 §3.1.2.1 / §3.1.4). */
  readonly modSeq: boolean;
  /** VANISHED instead of EXPUNGE (RFC 7162 §3.2.10). */
  readonly vanished: boolean;
}

/** A message picked by a sequence set, with its sequence number. */
export interface Picked {
  readonly seq: number;
  readonly message: ViewMessage;
}

export class SelectedView {
  readonly folderId: number;
  readonly readOnly: boolean;
  readonly uidValidity: number;
  uidNext: number;
  /**
   * RFC 7162 §3.1.2.1 HIGHESTMODSEQ as of opening: read before the messages, so a change committed meanwhile is
   * never hidden from a client that resynchronises from it.
   */
  readonly openedModSeq: number;
  /** RFC 5182 SEARCHRES: UIDs saved by SEARCH RETURN (SAVE), used by "$". */
  savedResult: readonly number[] = [];
  /** Set by IDLE: called (synchronously, from the feed) whenever a change is queued. */
  onChange: (() => void) | undefined;

  readonly #store: Store;
  #name: string;
  /** Ascending by UID (so by sequence number too): a UID is found by binary search, no map beside it. */
  readonly #messages: ViewMessage[];
  #incoming: FolderChange[] = [];
  #announcedExists: number;
  #recentToAnnounce = false;
  readonly #flagsToAnnounce = new Set<number>();
  #deleted = false;
  readonly #unsubscribe: () => void;

  private constructor(o: ViewOpenOptions, folder: { uidValidity: number; uidNext: number; highestModSeq: number }, messages: ViewMessage[]) {
    this.#store = o.store;
    this.folderId = o.folderId;
    this.#name = o.name;
    this.readOnly = o.readOnly;
    this.uidValidity = folder.uidValidity;
    this.uidNext = folder.uidNext;
    this.openedModSeq = folder.highestModSeq;
    this.#messages = messages;
    this.#announcedExists = messages.length;
    this.#unsubscribe = o.store.changes.subscribe(o.mailboxId, (c) => {
      if (c.kind !== 'folders' && c.folderId !== this.folderId) return;
      this.#incoming.push(c);
      this.onChange?.();
    });
  }

  /**
   * Opens a view. Subscribes first, then reads: a change committed in between is both read and queued, and the
   * queued copy is recognised as known.
   */
  static async open(o: ViewOpenOptions): Promise<SelectedView> {
    const folder = await o.store.getFolderById(o.folderId);
    if (!folder) throw new Error('folder vanished while opening');
    // RFC 3501 §6.3.2: EXAMINE never takes \Recent away from anyone; SELECT claims it for this session.
    const firstRecent = o.readOnly ? folder.recentUid : await o.store.claimRecent(o.folderId);
    const entries = await o.store.listCompactEntries(o.folderId);
    const after = (await o.store.getFolderById(o.folderId)) ?? folder;
    return new SelectedView(o, { uidValidity: folder.uidValidity, uidNext: after.uidNext, highestModSeq: folder.highestModSeq }, entries.map((e) => toViewMessage(e, e.uid >= firstRecent)));
  }

  /** The folder's name (it follows a RENAME made by this session). */
  get name(): string {
    return this.#name;
  }

  rename(name: string): void {
    this.#name = name;
  }

  get count(): number {
    return this.#messages.length;
  }

  get recentCount(): number {
    return this.#messages.reduce((n, m) => n + (m.recent ? 1 : 0), 0);
  }

  /** Messages in sequence order (index + 1 is the sequence number). */
  get messages(): readonly ViewMessage[] {
    return this.#messages;
  }

  /** True once the folder was deleted or renamed away by someone: the session must end (Dovecot does the same). */
  get deleted(): boolean {
    return this.#deleted;
  }

  get hasPending(): boolean {
    return this.#incoming.length > 0;
  }

  close(): void {
    this.#unsubscribe();
    this.onChange = undefined;
  }

  /** The index of the first message whose UID is at least `uid` (the length when there is none). */
  #firstAtOrAbove(uid: number): number {
    const list_ = this.#messages;
    let low = 0;
    let high = list_.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (list_[mid]!.uid < uid) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  byUid(uid: number): ViewMessage | undefined {
    const list_ = this.#messages;
    let low = 0;
    let high = list_.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const m = list_[mid]!;
      if (m.uid === uid) return m;
      if (m.uid < uid) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }

  seqOf(m: ViewMessage): number {
    return this.#messages.indexOf(m) + 1;
  }

  /** The engine's record of a message; reading its size or blob id needs {@link loadBlobs} first. */
  record(m: ViewMessage, seq: number): MessageRecord {
    return new ViewRecord(m, seq);
  }

  /**
   * Reads the blob and size of the messages that do not have them yet, a batch at a time. A message the store no
   * longer holds gets null (its record then throws {@link MessageGone}).
   */
  async loadBlobs(messages: readonly ViewMessage[]): Promise<void> {
    const missing = messages.filter((m) => m.blob === undefined);
    for (let i = 0; i < missing.length; i += imapServerLimits.viewBlobBatch) {
      const part = missing.slice(i, i + imapServerLimits.viewBlobBatch);
      this.noteBlobs(part, await this.#store.entryBlobs(this.folderId, part.map((m) => m.uid)));
    }
  }

  /**
   * Records what the store said of `messages` (as {@link loadBlobs} reads it, or as another read gave it): a blob
   * and size for those it lists, null for those it no longer holds; one known already is kept.
   */
  noteBlobs(messages: readonly ViewMessage[], found: ReadonlyMap<number, EntryBlob>): void {
    for (const m of messages) {
      if (m.blob) continue;
      // Only the id and size stay with the view (`found` may carry more, such as a header section).
      const b = found.get(m.uid);
      m.blob = b ? { blobId: b.blobId, size: b.size } : null;
    }
  }

  /** The flags to show for a message: its stored flags, plus \Recent in this session (RFC 3501 §2.3.2). */
  displayFlags(m: ViewMessage): string[] {
    return m.recent ? [...m.flags, '\\Recent'] : [...m.flags];
  }

  /**
   * The messages a sequence set names, in ascending order. By sequence number, a number past the last message
   * is a BAD (RFC 9051 §9 seq-number); by UID, UIDs that do not exist are ignored and "n:*" always includes the
   * last message (RFC 9051 §6.4.9). Messages expunged but not yet announced are included only when asked.
   */
  resolve(set: SequenceSet, uid: boolean, includeExpunged = false): Picked[] {
    const out: Picked[] = [];
    const list_ = this.#messages;
    for (const [from, to] of this.slices(set, uid))
      for (let i = from; i < to; i++) {
        const m = list_[i]!;
        if (includeExpunged || !m.expunged) out.push({ seq: i + 1, message: m });
      }
    return out;
  }

  /**
   * What {@link resolve} picks (expunged messages included) as ascending, disjoint index ranges [from, to) of
   * {@link messages}, without an object per message: for answering `1:*` on a big folder.
   */
  slices(set: SequenceSet, uid: boolean): Array<[number, number]> {
    const list_ = this.#messages;
    const out: Array<[number, number]> = [];
    if (set.kind === 'saved') {
      const saved = new Set(this.savedResult);
      list_.forEach((m, i) => {
        if (!saved.has(m.uid)) return;
        const last = out[out.length - 1];
        if (last && last[1] === i) last[1] = i + 1;
        else out.push([i, i + 1]);
      });
      return out;
    }
    // The view is in UID order, so each interval of the set is one slice of it (found by binary search for UIDs).
    if (uid) {
      const largest = list_.length === 0 ? 0 : list_[list_.length - 1]!.uid;
      if (largest === 0) return out;
      for (const [low, high] of sequenceSetIntervals(set, largest)) {
        const from = this.#firstAtOrAbove(low);
        const to = high >= largest ? list_.length : this.#firstAtOrAbove(high + 1);
        if (to > from) out.push([from, to]);
      }
      return out;
    }
    const count = list_.length;
    if (count === 0) return out;
    for (const r of set.ranges)
      for (const n of [r.start, r.end]) if (n !== '*' && n > count) throw new ImapBad(`no message ${n}: the mailbox has ${count}`);
    for (const [low, high] of sequenceSetIntervals(set, count)) {
      const from = Math.max(low, 1) - 1;
      const to = Math.min(high, count);
      if (to > from) out.push([from, to]);
    }
    return out;
  }

  /** Records flags this session just set, so the feed's echo of them is not announced again. */
  noteFlags(uid: number, flags: readonly string[], modSeq: number): void {
    const m = this.byUid(uid);
    if (!m || modSeq < m.modSeq) return;
    m.flags = flags;
    m.modSeq = modSeq;
    this.#flagsToAnnounce.delete(uid);
  }

  /**
   * Removes messages this session expunged itself and returns the responses that announce it: EXPUNGE per
   * message, or one VANISHED once QRESYNC is enabled (RFC 7162 §3.2.10).
   */
  expungeOwn(uids: Iterable<number>, style: UpdateStyle): ImapResponse[] {
    const list_ = [...uids];
    const present = list_.filter((u) => this.byUid(u) !== undefined).sort((a, b) => a - b);
    const seqs = this.removeOwn(list_);
    if (!style.vanished) return seqs.map(expungeResponse);
    return present.length === 0 ? [] : [vanishedResponse(present, false)];
  }

  /** Removes messages this session expunged itself; returns their sequence numbers (descending). */
  removeOwn(uids: Iterable<number>): number[] {
    const doomed = new Set(uids);
    const seqs: number[] = [];
    // Descending order: each number stays valid as the ones above it go (RFC 9051 §7.5.1 example).
    for (let i = this.#messages.length - 1; i >= 0; i--) {
      const m = this.#messages[i]!;
      if (!doomed.has(m.uid)) continue;
      seqs.push(i + 1);
      this.#messages.splice(i, 1);
      this.#flagsToAnnounce.delete(m.uid);
    }
    this.#announcedExists -= seqs.length;
    return seqs;
  }

  /** Reads from the store what the queued changes say has changed. Never sends anything. */
  async sync(): Promise<void> {
    if (this.#incoming.length === 0) return;
    const changes = this.#incoming;
    this.#incoming = [];
    let added = false;
    const expunged = new Set<number>();
    const flagged = new Set<number>();
    for (const c of changes) {
      if (c.kind === 'folders') {
        const f = await this.#store.getFolderById(this.folderId);
        if (!f || f.name !== this.name) this.#deleted = true;
      } else if (c.kind === 'exists') added = true;
      else if (c.kind === 'expunge') c.uids.forEach((u) => expunged.add(u));
      else
        for (const u of c.uids) {
          // This session's own STORE already noted the new flags at this modseq (noteFlags): nothing to re-read.
          if ((this.byUid(u)?.modSeq ?? 0) < c.modSeq) flagged.add(u);
        }
    }
    for (const uid of expunged) {
      const m = this.byUid(uid);
      if (m) m.expunged = true;
    }
    if (flagged.size > 0) await this.#refreshFlags(flagged);
    if (added) await this.#readNew();
  }

  async #refreshFlags(uids: Set<number>): Promise<void> {
    const known = [...uids].filter((u) => this.byUid(u) !== undefined);
    if (known.length === 0) return;
    const entries = await this.#store.listCompactEntries(this.folderId, { fromUid: known.reduce((a, b) => Math.min(a, b)), toUid: known.reduce((a, b) => Math.max(a, b)) });
    for (const e of entries) {
      const m = this.byUid(e.uid);
      if (!m || !uids.has(e.uid) || e.modSeq <= m.modSeq) continue;
      m.flags = e.flags;
      m.modSeq = e.modSeq;
      if (!m.expunged) this.#flagsToAnnounce.add(m.uid);
    }
  }

  async #readNew(): Promise<void> {
    const last = this.#messages.length === 0 ? 0 : this.#messages[this.#messages.length - 1]!.uid;
    const firstRecent = this.readOnly ? Number.MAX_SAFE_INTEGER : await this.#store.claimRecent(this.folderId);
    const entries = await this.#store.listCompactEntries(this.folderId, { fromUid: last + 1 });
    for (const e of entries) {
      if (this.byUid(e.uid) !== undefined) continue;
      const m = toViewMessage(e, e.uid >= firstRecent);
      this.#messages.push(m);
      if (m.recent) this.#recentToAnnounce = true;
      this.uidNext = Math.max(this.uidNext, m.uid + 1);
    }
  }

  /**
   * The untagged responses owed to the client, in a safe order: EXPUNGE (only when `expunge` is allowed), then
   * EXISTS and RECENT, then FETCH (FLAGS) of messages others changed.
   */
  drain(expunge: boolean, style: UpdateStyle = { modSeq: false, vanished: false }): ImapResponse[] {
    const out: ImapResponse[] = [];
    if (expunge) {
      const vanished: number[] = [];
      for (let i = this.#messages.length - 1; i >= 0; i--) {
        const m = this.#messages[i]!;
        if (!m.expunged) continue;
        if (style.vanished) vanished.push(m.uid);
        else out.push(expungeResponse(i + 1));
        this.#messages.splice(i, 1);
        this.#flagsToAnnounce.delete(m.uid);
        this.#announcedExists--;
      }
      if (vanished.length > 0) out.push(vanishedResponse(vanished.sort((a, b) => a - b), false));
    }
    if (this.#messages.length !== this.#announcedExists || this.#recentToAnnounce) {
      out.push(existsResponse(this.#messages.length));
      out.push(recentResponse(this.recentCount));
      this.#announcedExists = this.#messages.length;
      this.#recentToAnnounce = false;
    }
    if (this.#flagsToAnnounce.size > 0) {
      this.#messages.forEach((m, i) => {
        if (!this.#flagsToAnnounce.has(m.uid)) return;
        const items = [atom('UID'), num(m.uid), atom('FLAGS'), list(this.displayFlags(m).map(atom))];
        if (style.modSeq) items.push(atom('MODSEQ'), list([num(m.modSeq)]));
        out.push(data(num(i + 1), atom('FETCH'), list(items)));
      });
      this.#flagsToAnnounce.clear();
    }
    return out;
  }
}

function toViewMessage(e: CompactEntry, recent: boolean): ViewMessage {
  return { uid: e.uid, flags: e.flags, modSeq: e.modSeq, internalDate: e.internalDate, recent, expunged: false, blob: undefined };
}
