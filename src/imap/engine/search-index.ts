/**
 * The part of a SEARCH program a text index can answer (issue 6): HEADER/FROM/TO/CC/BCC/SUBJECT, BODY and TEXT
 * keys as substring terms, folded the way the engine folds (search-text.ts), under AND and OR. NOT and the
 * other keys give no condition; the engine checks every candidate afterwards, so the query only has to be a
 * superset of the matches.
 */
import type { SearchKey } from '../../protocol/imap/index.js';
import { foldText } from './search-text.js';

/** Shaped like the store's TextQuery (src/store/types.ts): the server passes it on unchanged. */
export type IndexQuery =
  | { kind: 'term'; field: 'header' | 'body' | 'any'; needle: string }
  | { kind: 'and' | 'or'; of: IndexQuery[] };

/** The text condition every match of `key` satisfies, or null when there is none to look up. */
export function indexQueryOf(key: SearchKey): IndexQuery | null {
  switch (key.kind) {
    case 'header':
      // RFC 9051 §6.4.4: HEADER with an empty string matches any message with the field: nothing to look up.
      return key.value === '' ? null : { kind: 'term', field: 'header', needle: foldText(key.value) };
    case 'body':
      return key.value === '' ? null : { kind: 'term', field: 'body', needle: foldText(key.value) };
    case 'text':
      return key.value === '' ? null : { kind: 'term', field: 'any', needle: foldText(key.value) };
    case 'and': {
      const of = key.keys.map(indexQueryOf).filter((q): q is IndexQuery => q !== null);
      return of.length === 0 ? null : of.length === 1 ? of[0]! : { kind: 'and', of };
    }
    case 'or': {
      const left = indexQueryOf(key.left);
      const right = indexQueryOf(key.right);
      return left && right ? { kind: 'or', of: [left, right] } : null;
    }
    default:
      return null;
  }
}
