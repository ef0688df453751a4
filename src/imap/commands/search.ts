/**
 * SEARCH and UID SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4), evaluated by the engine over the view's messages;
 * RFC 4731 ESEARCH results when the client asks with RETURN, RFC 5182 SAVE. CHARSET: UTF-8 and US-ASCII
 * (RFC 9051 §6.4.4: others get NO [BADCHARSET (…)]).
 */
import { astr, esearchResponse, list, ok, searchResponse, type ImapResponse } from '../../protocol/imap/index.js';
import { searchMessages } from '../engine/search.js';
import type { ImapSession } from '../session.js';
import { ImapNo } from '../errors.js';
import { messageSource } from './fetch.js';
import type { CommandOf } from './spec.js';

const CHARSETS = ['UTF-8', 'US-ASCII'];

export async function search(s: ImapSession, cmd: CommandOf<'SEARCH'>): Promise<ImapResponse> {
  const { program } = cmd;
  if (program.charset !== undefined && !CHARSETS.includes(program.charset))
    throw new ImapNo(`charset ${program.charset.slice(0, 40)} is not supported`, { name: 'BADCHARSET', args: [list(CHARSETS.map(astr))] });
  const view = s.view();
  const records = view.messages.flatMap((m, i) => (m.expunged ? [] : [view.record(m, i + 1)]));
  const last = view.messages[view.messages.length - 1];
  const found = await searchMessages(program, records, {
    source: messageSource(s.ctx.store),
    maxUid: last?.uid ?? 0,
    now: s.ctx.now(),
    searchResult: view.savedResult,
  });
  // Sequence order is UID order: the ids come out ascending.
  const ids = found.map((r) => (cmd.uid ? r.uid : r.seq));
  const options = cmd.returnOptions;
  if (options === undefined) {
    await s.write(searchResponse(ids));
    return ok(cmd.tag, 'SEARCH completed');
  }
  const asked = options.length === 0 ? (['ALL'] as const) : options;
  if (asked.includes('SAVE')) view.savedResult = found.map((r) => r.uid);
  if (asked.some((o) => o !== 'SAVE') || asked.length === 0) {
    const result = {
      ...(ids.length > 0 ? { min: ids[0], max: ids[ids.length - 1] } : {}),
      all: ids,
      count: ids.length,
    };
    await s.write(esearchResponse(cmd.tag, cmd.uid, result, asked.filter((o) => o !== 'SAVE')));
  }
  return ok(cmd.tag, 'SEARCH completed');
}
