/**
 * SORT and THREAD arguments.
 *
 * RFC 5256 §3: sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria; sort-criteria = "(" sort-criterion
 * *(SP sort-criterion) ")"; sort-criterion = ["REVERSE" SP] sort-key; sort-key = "ARRIVAL" / "CC" / "DATE" /
 * "FROM" / "SIZE" / "SUBJECT" / "TO"; search-criteria = charset 1*(SP search-key) (the charset is required);
 * thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria. RFC 5957 (DISPLAYFROM, DISPLAYTO); RFC 5267
 * §3.2 (ESORT: SORT RETURN (…)).
 */
import { parseSearchProgram, parseSearchReturn, type SearchProgram, type SearchReturnOption } from './search.js';
import type { Scanner } from './scanner.js';

export const SORT_KEYS = ['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface SortCriterion {
  readonly key: SortKey;
  readonly reverse: boolean;
}

export interface SortArgs {
  readonly returnOptions: readonly SearchReturnOption[] | undefined;
  readonly criteria: readonly SortCriterion[];
  readonly program: SearchProgram;
}

const KNOWN_SORT_KEYS: ReadonlySet<string> = new Set(SORT_KEYS);

export function parseSortArgs(s: Scanner): SortArgs {
  s.sp();
  const returnOptions = parseSearchReturn(s);
  if (returnOptions !== undefined) s.sp();
  const criteria = s.list(() => {
    const reverse = s.tryWord('REVERSE');
    if (reverse) s.sp();
    const key = s.keyword('a sort key');
    if (!KNOWN_SORT_KEYS.has(key)) s.fail(`unknown sort key ${key.slice(0, 40)}`);
    return { key: key as SortKey, reverse };
  }, false, 16);
  s.sp();
  return { returnOptions, criteria, program: parseSearchProgram(s, true) };
}

/** The algorithm name is returned upper case; the server answers NO for one it does not implement. */
export function parseThreadArgs(s: Scanner): { algorithm: string; program: SearchProgram } {
  s.sp();
  const algorithm = s.keyword('a threading algorithm');
  s.sp();
  return { algorithm, program: parseSearchProgram(s, true) };
}
