/**
 * COMPRESS (RFC 4978): after the tagged OK both directions are raw DEFLATE (RFC 1951), each response batch
 * flushed so the client never waits for a half-filled block (§4, Z_SYNC_FLUSH). Offered after sign-in only
 * (CRIME-style attacks on secrets sent before it; §6), once per connection ([COMPRESSIONACTIVE], RFC 5530).
 */
import { ok, type ImapResponse } from '../../protocol/imap/index.js';
import type { ImapSession } from '../session.js';
import { ImapBad, ImapNo } from '../errors.js';
import type { CommandOf } from './spec.js';

export async function compress(s: ImapSession, cmd: CommandOf<'COMPRESS'>): Promise<ImapResponse | undefined> {
  if (cmd.algorithm !== 'DEFLATE') throw new ImapBad(`unknown compression algorithm ${cmd.algorithm.slice(0, 40)}`, 'CLIENTBUG');
  if (s.compressed) throw new ImapNo('compression is already active', 'COMPRESSIONACTIVE');
  // The OK goes out uncompressed; everything after it, both ways, is compressed (RFC 4978 §3).
  await s.write(ok(cmd.tag, 'DEFLATE active'));
  s.transport.startCompression();
  s.compressed = true;
  return undefined;
}
