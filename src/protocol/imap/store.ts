/**
 * STORE arguments.
 *
 * RFC 9051 §6.4.6 and §9: store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)));
 * RFC 7162 §3.1.3 (store-modifiers: "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")").
 */
import { parseFlag, parseFlagList } from './flags.js';
import type { Scanner } from './scanner.js';

export interface StoreArgs {
  /** `set` replaces the flags (FLAGS), `add` is +FLAGS, `remove` is -FLAGS. */
  readonly operation: 'set' | 'add' | 'remove';
  /** .SILENT: no untagged FETCH with the new flags (RFC 9051 §6.4.6; CONDSTORE may still send MODSEQ). */
  readonly silent: boolean;
  readonly flags: readonly string[];
  /** RFC 7162 §3.1.3 UNCHANGEDSINCE. */
  readonly unchangedSince: bigint | undefined;
}

/** After the sequence set: [SP store-modifiers] SP store-att-flags. */
export function parseStoreArgs(s: Scanner): StoreArgs {
  s.sp();
  let unchangedSince: bigint | undefined;
  if (s.atOpen()) {
    s.list(() => {
      const name = s.keyword('a store modifier');
      if (name !== 'UNCHANGEDSINCE' || unchangedSince !== undefined) s.fail(`unexpected store modifier ${name.slice(0, 40)}`);
      s.sp();
      unchangedSince = s.number64('a mod-sequence');
    });
    s.sp();
  }
  const operation = s.tryChar('+') ? 'add' : s.tryChar('-') ? 'remove' : 'set';
  const item = s.keyword('FLAGS');
  if (item !== 'FLAGS' && item !== 'FLAGS.SILENT') s.fail('expected FLAGS or FLAGS.SILENT');
  s.sp();
  let flags: string[];
  if (s.atOpen()) flags = parseFlagList(s);
  else {
    flags = [parseFlag(s)];
    while (!s.atEnd()) {
      s.sp();
      flags.push(parseFlag(s));
    }
    flags = [...new Set(flags)];
  }
  return { operation, silent: item === 'FLAGS.SILENT', flags, unchangedSince };
}
