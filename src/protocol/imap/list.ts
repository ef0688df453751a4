/**
 * LIST and LSUB arguments.
 *
 * RFC 3501 §6.3.8–9 and RFC 9051 §6.3.9 (LIST reference pattern; "%" and "*" wildcards; an empty pattern asks
 * for the delimiter); RFC 5258 §3 and §6 (LIST-EXTENDED: selection options SUBSCRIBED, REMOTE, RECURSIVEMATCH,
 * several patterns in parentheses, return options SUBSCRIBED and CHILDREN; RECURSIVEMATCH alone is a BAD);
 * RFC 6154 §3, §5.1 (SPECIAL-USE selection and return options); RFC 5819 (RETURN (STATUS (…))).
 */
import { decodeMailboxName, parseMailbox } from './mailbox-name.js';
import { isListChar, type Scanner } from './scanner.js';
import { parseStatusItems, type StatusItem } from './status.js';

export interface ListSelection {
  readonly subscribed: boolean;
  readonly remote: boolean;
  readonly recursiveMatch: boolean;
  readonly specialUse: boolean;
}

export interface ListReturn {
  readonly subscribed: boolean;
  readonly children: boolean;
  readonly specialUse: boolean;
  /** RFC 5819: STATUS items to return for each selectable mailbox listed. */
  readonly status: readonly StatusItem[] | undefined;
}

export interface ListArgs {
  readonly reference: string;
  readonly patterns: readonly string[];
  readonly selection: ListSelection;
  readonly returns: ListReturn;
  /** True when the client used any RFC 5258 syntax (the server then answers in extended form). */
  readonly extended: boolean;
}

const NO_SELECTION: ListSelection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };

/** RFC 9051 §9 list-mailbox = 1*list-char / string, decoded like a mailbox name. */
export function parseListPattern(s: Scanner, utf8: boolean): string {
  const bytes = s.at('"') || s.atLiteral() ? s.string('a mailbox pattern') : Buffer.from(s.chars(isListChar, 'a mailbox pattern'), 'latin1');
  const name = decodeMailboxName(bytes, utf8);
  if (name === undefined) s.fail(utf8 ? 'mailbox pattern is not valid UTF-8' : 'mailbox pattern is not valid modified UTF-7', 'bad-mailbox-name');
  return name;
}

/** After "LIST": [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]. */
export function parseListArgs(s: Scanner, utf8: boolean): ListArgs {
  s.sp();
  let extended = false;
  let selection = NO_SELECTION;
  if (s.atOpen()) {
    extended = true;
    selection = parseSelection(s);
    s.sp();
  }
  const reference = parseMailbox(s, utf8);
  s.sp();
  let patterns: string[];
  if (s.atOpen()) {
    extended = true;
    patterns = s.list(() => parseListPattern(s, utf8), false, 32);
  } else patterns = [parseListPattern(s, utf8)];
  let returns: ListReturn = { subscribed: false, children: false, specialUse: false, status: undefined };
  if (!s.atEnd()) {
    s.sp();
    if (!s.tryWord('RETURN')) s.fail('expected RETURN');
    s.sp();
    extended = true;
    returns = parseReturn(s);
  }
  return { reference, patterns, selection, returns, extended };
}

function parseSelection(s: Scanner): ListSelection {
  const sel = { ...NO_SELECTION };
  s.list(() => {
    const option = s.keyword('a selection option');
    if (option === 'SUBSCRIBED') sel.subscribed = true;
    else if (option === 'REMOTE') sel.remote = true;
    else if (option === 'RECURSIVEMATCH') sel.recursiveMatch = true;
    else if (option === 'SPECIAL-USE') sel.specialUse = true;
    else s.fail(`unknown selection option ${option.slice(0, 40)}`);
  }, true);
  // RFC 5258 §3: RECURSIVEMATCH needs a base option (SUBSCRIBED, or SPECIAL-USE per RFC 6154 §5.1).
  if (sel.recursiveMatch && !sel.subscribed && !sel.specialUse) s.fail('RECURSIVEMATCH needs another selection option');
  return sel;
}

function parseReturn(s: Scanner): ListReturn {
  const ret: { subscribed: boolean; children: boolean; specialUse: boolean; status: StatusItem[] | undefined } = {
    subscribed: false,
    children: false,
    specialUse: false,
    status: undefined,
  };
  s.list(() => {
    const option = s.keyword('a return option');
    if (option === 'SUBSCRIBED') ret.subscribed = true;
    else if (option === 'CHILDREN') ret.children = true;
    else if (option === 'SPECIAL-USE') ret.specialUse = true;
    else if (option === 'STATUS' && ret.status === undefined) {
      s.sp();
      ret.status = parseStatusItems(s);
    } else s.fail(`unknown return option ${option.slice(0, 40)}`);
  }, true);
  return ret;
}

/** After "LSUB": SP mailbox SP list-mailbox (RFC 3501 §6.3.9). */
export function parseLsubArgs(s: Scanner, utf8: boolean): { reference: string; pattern: string } {
  s.sp();
  const reference = parseMailbox(s, utf8);
  s.sp();
  return { reference, pattern: parseListPattern(s, utf8) };
}
