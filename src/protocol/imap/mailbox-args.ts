/**
 * Arguments of the mailbox commands with parameters: SELECT/EXAMINE, CREATE, and the QUOTA commands.
 *
 * RFC 4466 §2.1 (select-params, create-params); RFC 7162 §3.1.8 (SELECT (CONDSTORE)) and §3.2.5 (SELECT (QRESYNC
 * (uidvalidity mod-sequence-value [known-uids] [seq-match-data]))); RFC 6154 §3 (CREATE (USE (\Sent …)));
 * RFC 9208 §4 (GETQUOTA quota-root, GETQUOTAROOT mailbox, SETQUOTA quota-root (resource limit …)).
 */
import { parseMailbox } from './mailbox-name.js';
import { isAtomChar, type Scanner } from './scanner.js';
import { parseSequenceSet, type SequenceSet } from './sequence.js';

export interface QresyncParams {
  readonly uidValidity: number;
  readonly modSeq: bigint;
  readonly knownUids: SequenceSet | undefined;
  /** Known message sequence numbers and the UIDs they correspond to (RFC 7162 §3.2.5.2). */
  readonly seqMatch: { readonly seqs: SequenceSet; readonly uids: SequenceSet } | undefined;
}

export interface SelectArgs {
  readonly mailbox: string;
  readonly condstore: boolean;
  readonly qresync: QresyncParams | undefined;
}

/** RFC 6154 §2 special-use attributes, in canonical spelling. */
export const SPECIAL_USE = ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'] as const;
const SPECIAL_USE_CANONICAL = new Map(SPECIAL_USE.map((a) => [a.toUpperCase(), a]));

/** After SELECT or EXAMINE: SP mailbox [SP "(" select-param *(SP select-param) ")"]. */
export function parseSelectArgs(s: Scanner, utf8: boolean): SelectArgs {
  s.sp();
  const mailbox = parseMailbox(s, utf8);
  let condstore = false;
  let qresync: QresyncParams | undefined;
  if (!s.atEnd()) {
    s.sp();
    s.list(() => {
      const name = s.keyword('a select parameter');
      if (name === 'CONDSTORE' && !condstore) condstore = true;
      else if (name === 'QRESYNC' && qresync === undefined) {
        s.sp();
        qresync = parseQresync(s);
      } else s.fail(`unknown select parameter ${name.slice(0, 40)}`);
    });
  }
  return { mailbox, condstore, qresync };
}

function parseQresync(s: Scanner): QresyncParams {
  s.open();
  const uidValidity = s.number('a UIDVALIDITY', true);
  s.sp();
  const modSeq = s.number64('a mod-sequence', true);
  let knownUids: SequenceSet | undefined;
  let seqMatch: QresyncParams['seqMatch'];
  if (s.tryChar(' ')) {
    if (!s.atOpen()) {
      knownUids = parseSequenceSet(s, false);
      if (s.tryChar(' ') && !s.atOpen()) s.fail('expected sequence match data');
    }
    if (s.atOpen()) {
      s.open();
      const seqs = parseSequenceSet(s, false);
      s.sp();
      const uids = parseSequenceSet(s, false);
      s.close();
      seqMatch = { seqs, uids };
    }
  }
  s.close();
  return { uidValidity, modSeq, knownUids, seqMatch };
}

/** After CREATE: SP mailbox [SP "(" "USE" SP "(" [use-attr *(SP use-attr)] ")" ")"]. */
export function parseCreateArgs(s: Scanner, utf8: boolean): { mailbox: string; specialUse: string[] } {
  s.sp();
  const mailbox = parseMailbox(s, utf8);
  const specialUse: string[] = [];
  if (!s.atEnd()) {
    s.sp();
    let seen = false;
    s.list(() => {
      const name = s.keyword('a create parameter');
      if (name !== 'USE' || seen) s.fail(`unknown create parameter ${name.slice(0, 40)}`);
      seen = true;
      s.sp();
      const attrs = s.list(() => {
        s.expect('\\', 'a special-use attribute');
        const attr = `\\${s.chars(isAtomChar, 'a special-use attribute')}`;
        return SPECIAL_USE_CANONICAL.get(attr.toUpperCase()) ?? attr;
      }, true);
      specialUse.push(...new Set(attrs));
    });
  }
  return { mailbox, specialUse };
}

/** RFC 9208 §4.1 SETQUOTA quota-root SP setquota-list. Resource names are upper-cased atoms. */
export function parseSetQuotaArgs(s: Scanner): { root: string; limits: { resource: string; limit: bigint }[] } {
  s.sp();
  const root = s.astringText('a quota root');
  s.sp();
  const limits = s.list(() => {
    const resource = s.keyword('a resource name');
    s.sp();
    return { resource, limit: s.number64('a limit') };
  }, true, 32);
  return { root, limits };
}
