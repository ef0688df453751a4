/**
 * SORT and THREAD (RFC 5256), with DISPLAYFROM/DISPLAYTO (RFC 5957).
 *
 * RFC 5256 §2.1 base subject; §2.2 sent date (the Date header, or INTERNALDATE when it has none or it cannot be
 * read); §3 sort keys (ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO: addresses compare by the first mailbox's
 * local part) with ties broken by sequence number; §2.3 and §3 THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (the
 * JWZ algorithm: link by References/In-Reply-To, prune dummies, group the roots by base subject, order by sent
 * date). Strings compare case-insensitively on decoded text.
 */
import type { SortCriterion, ThreadNode } from '../../protocol/imap/index.js';
import { parseDate as parseRfc5322Date } from '../../mail/meta.js';
import { decodeEncodedWords } from '../../mail/encoded-words.js';
import type { HeaderField } from '../../mail/header-block.js';
import { addressField } from './envelope.js';
import { parsedMessage } from './cache.js';
import { sectionFields } from './sections.js';
import { foldText } from './search-text.js';
import type { MessageRecord, MessageSource } from './types.js';

/** What SORT and THREAD need from a message, read once. */
interface Facts {
  readonly m: MessageRecord;
  readonly fields: readonly HeaderField[];
  readonly sentDate: number;
  readonly baseSubject: string;
  readonly isReplyOrForward: boolean;
}

/**
 * Kept top-level header sections by UID (MailStore.headers): a message that has one is not read at all, since SORT
 * and THREAD look at header fields only.
 */
export type HeaderSections = ReadonlyMap<number, Buffer>;

async function factsOf(messages: readonly MessageRecord[], source: MessageSource, headers?: HeaderSections): Promise<Facts[]> {
  const out: Facts[] = [];
  for (const m of messages) {
    const header = headers?.get(m.uid);
    const fields = header ? sectionFields(header) : (await parsedMessage(source, m.blobId)).mime.fields;
    const date = fields.find((f) => f.lowerName === 'date');
    const sent = date === undefined ? null : parseRfc5322Date(date.value);
    const subject = fields.find((f) => f.lowerName === 'subject')?.value ?? '';
    const base = baseSubject(subject);
    out.push({ m, fields, sentDate: sent ?? m.internalDate, baseSubject: base.subject, isReplyOrForward: base.replyOrForward });
  }
  return out;
}

/**
 * RFC 5256 §2.1: the base subject (decoded, white space collapsed, `Re:`/`Fw:`/`Fwd:` leaders, `[blob]`s,
 * `(fwd)` trailers and `[fwd: …]` wrappers removed), and whether anything of that kind was removed.
 */
export function baseSubject(raw: string): { subject: string; replyOrForward: boolean } {
  let s = decodeEncodedWords(raw.replace(/\r?\n/g, '')).replace(/[ \t]+/g, ' ').trim();
  let replyOrForward = false;
  const BLOB = String.raw`\[[^\[\]]*\] *`;
  const LEADER = new RegExp(String.raw`^(?:${BLOB})*(?:re|fwd?) *(?:${BLOB})?:`, 'i');
  for (;;) {
    // (2) trailers: "(fwd)" and white space.
    let t;
    while ((t = s.replace(/ *\(fwd\)$/i, '').trimEnd()) !== s) {
      s = t;
      replyOrForward = true;
    }
    // (3)–(5) leaders and blobs, repeated until nothing changes.
    for (;;) {
      const before = s;
      const leader = LEADER.exec(s);
      if (leader) {
        s = s.slice(leader[0].length).trimStart();
        replyOrForward = true;
      }
      const blob = new RegExp(`^${BLOB}`).exec(s);
      if (blob && s.length > blob[0].length) s = s.slice(blob[0].length).trimStart();
      if (s === before) break;
    }
    // (6) "[fwd:" subject "]".
    const wrapped = /^\[fwd:(.*)\]$/i.exec(s);
    if (!wrapped) break;
    s = wrapped[1]!.trim();
    replyOrForward = true;
  }
  return { subject: foldText(s), replyOrForward };
}

function firstMailbox(f: Facts, field: string): string {
  const entries = addressField(f.fields, field);
  const first = entries?.flatMap((e) => ('group' in e ? e.members : [e]))[0];
  return foldText(first?.mailbox ?? '');
}

/** RFC 5957 §3: the display name (decoded), else the address. */
function displayOf(f: Facts, field: string): string {
  const entries = addressField(f.fields, field);
  const first = entries?.flatMap((e) => ('group' in e ? e.members : [e]))[0];
  if (!first) return '';
  const name = first.name === null ? '' : decodeEncodedWords(first.name).trim();
  return foldText(name !== '' ? name : `${first.mailbox ?? ''}@${first.host ?? ''}`);
}

function keyOf(f: Facts, key: SortCriterion['key']): string | number {
  switch (key) {
    case 'ARRIVAL':
      return f.m.internalDate;
    case 'DATE':
      return f.sentDate;
    case 'SIZE':
      return f.m.size;
    case 'SUBJECT':
      return f.baseSubject;
    case 'CC':
      return firstMailbox(f, 'cc');
    case 'FROM':
      return firstMailbox(f, 'from');
    case 'TO':
      return firstMailbox(f, 'to');
    case 'DISPLAYFROM':
      return displayOf(f, 'from');
    case 'DISPLAYTO':
      return displayOf(f, 'to');
  }
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The messages in SORT order (RFC 5256 §3): criteria in turn, then sequence number. */
export async function sortMessages(
  criteria: readonly SortCriterion[],
  messages: readonly MessageRecord[],
  source: MessageSource,
  headers?: HeaderSections,
): Promise<MessageRecord[]> {
  const facts = await factsOf(messages, source, headers);
  const keyed = facts.map((f) => ({ f, keys: criteria.map((c) => keyOf(f, c.key)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < criteria.length; i++) {
      const c = compare(a.keys[i]!, b.keys[i]!);
      if (c !== 0) return criteria[i]!.reverse ? -c : c;
    }
    return a.f.m.seq - b.f.m.seq;
  });
  return keyed.map((k) => k.f.m);
}

const bySent = (a: Facts, b: Facts): number => a.sentDate - b.sentDate || a.m.seq - b.m.seq;

/**
 * THREAD (RFC 5256 §3). Nodes carry sequence numbers; the server maps them to UIDs for UID THREAD.
 */
export async function threadMessages(
  algorithm: 'REFERENCES' | 'ORDEREDSUBJECT',
  messages: readonly MessageRecord[],
  source: MessageSource,
  headers?: HeaderSections,
): Promise<ThreadNode[]> {
  const facts = await factsOf(messages, source, headers);
  return algorithm === 'ORDEREDSUBJECT' ? orderedSubject(facts) : references(facts);
}

function orderedSubject(facts: Facts[]): ThreadNode[] {
  const sorted = [...facts].sort((a, b) => compare(a.baseSubject, b.baseSubject) || bySent(a, b));
  const threads: Facts[][] = [];
  for (const f of sorted) {
    const last = threads[threads.length - 1];
    if (last && last[0]!.baseSubject === f.baseSubject) last.push(f);
    else threads.push([f]);
  }
  threads.sort((a, b) => bySent(a[0]!, b[0]!));
  return threads.map(([first, ...rest]) => ({ id: first!.m.seq, children: rest.map((r) => ({ id: r.m.seq, children: [] })) }));
}

// ---------------------------------------------------------------- REFERENCES (RFC 5256 §3, steps 1–6)

interface Container {
  facts: Facts | null;
  parent: Container | null;
  children: Container[];
}

function messageIds(value: string | undefined): string[] {
  return value === undefined ? [] : [...value.matchAll(/<[^<>\s]+>/g)].map((m) => m[0].toLowerCase());
}

function isAncestor(a: Container, b: Container): boolean {
  for (let c: Container | null = b; c; c = c.parent) if (c === a) return true;
  return false;
}

function link(parent: Container, child: Container): void {
  if (child.parent === parent || parent === child || isAncestor(child, parent)) return;
  if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
  child.parent = parent;
  parent.children.push(child);
}

/** The sent date that orders a container: its message's, or (a dummy) its first child's. */
function containerDate(c: Container): Facts | null {
  if (c.facts) return c.facts;
  const dates = c.children.map(containerDate).filter((f): f is Facts => f !== null).sort(bySent);
  return dates[0] ?? null;
}

function sortContainers(list: Container[]): void {
  list.sort((a, b) => {
    const fa = containerDate(a);
    const fb = containerDate(b);
    return fa && fb ? bySent(fa, fb) : 0;
  });
  for (const c of list) sortContainers(c.children);
}

/** Step 4: removes empty dummies and promotes the children of dummies that need not stay. */
function prune(list: Container[], atRoot: boolean): Container[] {
  const out: Container[] = [];
  for (const c of list) {
    c.children = prune(c.children, false);
    for (const child of c.children) child.parent = c;
    if (c.facts === null && c.children.length === 0) continue;
    if (c.facts === null && (!atRoot || c.children.length === 1)) {
      for (const child of c.children) child.parent = c.parent;
      out.push(...c.children);
      continue;
    }
    out.push(c);
  }
  return out;
}

function references(facts: Facts[]): ThreadNode[] {
  const byId = new Map<string, Container>();
  const container = (id: string): Container => {
    let c = byId.get(id);
    if (!c) byId.set(id, (c = { facts: null, parent: null, children: [] }));
    return c;
  };
  const all: Container[] = [];
  for (const f of facts) {
    const field = (name: string) => f.fields.find((x) => x.lowerName === name)?.value;
    const id = messageIds(field('message-id'))[0];
    // Step 1A: a message without a Message-ID, or with one already used, gets a unique container.
    let me: Container;
    if (id !== undefined && byId.get(id)?.facts == null) {
      me = container(id);
      me.facts = f;
    } else me = { facts: f, parent: null, children: [] };
    all.push(me);
    let refs = messageIds(field('references'));
    if (refs.length === 0) refs = messageIds(field('in-reply-to')).slice(0, 1);
    // Step 1B: link the references in order, never creating a loop, never replacing a parent.
    let prev: Container | null = null;
    for (const ref of refs) {
      const c = container(ref);
      if (prev && c.parent === null) link(prev, c);
      prev = c;
    }
    // Step 1C: the message's parent is its last reference (replacing any earlier link).
    if (prev && prev !== me && !isAncestor(me, prev)) link(prev, me);
    else if (!prev && me.parent) {
      me.parent.children = me.parent.children.filter((c) => c !== me);
      me.parent = null;
    }
  }
  // Step 2: the root set.
  const roots = [...new Set([...byId.values(), ...all])].filter((c) => c.parent === null);
  // Step 3 is unnecessary (no table to free). Step 4: prune.
  let set = prune(roots, true);
  // Step 5: sort the root set by sent date, then gather threads whose roots share a base subject.
  sortContainers(set);
  set = groupBySubject(set);
  // Step 6: sort everything.
  sortContainers(set);
  return set.map(toNode);
}

/** Step 5B–5C: merges roots that have the same base subject. */
function groupBySubject(roots: Container[]): Container[] {
  const subjectOf = (c: Container): string => (c.facts ?? c.children[0]?.facts)?.baseSubject ?? '';
  const table = new Map<string, Container>();
  for (const c of roots) {
    const s = subjectOf(c);
    if (s === '') continue;
    const old = table.get(s);
    // 5B: prefer a dummy, or a non-reply over a reply, as the thread's representative.
    if (!old || (c.facts === null && old.facts !== null) || (old.facts?.isReplyOrForward && c.facts && !c.facts.isReplyOrForward)) table.set(s, c);
  }
  /** A representative turned into a new dummy holding it (5C, last case): the dummy takes its place. */
  const placeOf = new Map<Container, Container>();
  for (const c of roots) {
    const s = subjectOf(c);
    const first = table.get(s);
    if (s === '' || first === undefined || first === c) continue;
    const keep = placeOf.get(first) ?? first;
    if (keep.facts === null && c.facts === null) {
      for (const child of [...c.children]) link(keep, child);
      c.parent = keep; // emptied; dropped below
    } else if (keep.facts === null) link(keep, c);
    else if (c.facts !== null && c.facts.isReplyOrForward && !keep.facts.isReplyOrForward) link(keep, c);
    else {
      const dummy: Container = { facts: null, parent: null, children: [] };
      link(dummy, keep);
      link(dummy, c);
      placeOf.set(first, dummy);
    }
  }
  const out: Container[] = [];
  for (const c of roots) {
    const placed = placeOf.get(c) ?? c;
    if (placed.parent === null && !out.includes(placed)) out.push(placed);
  }
  return out;
}

function toNode(c: Container): ThreadNode {
  return { id: c.facts?.m.seq ?? null, children: c.children.map(toNode) };
}
