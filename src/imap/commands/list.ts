/**
 * LIST (RFC 9051 §6.3.9, RFC 3501 §6.3.8, with the RFC 5258 selection and return options the parser accepts,
 * RFC 6154 special-use attributes, RFC 3348 CHILDREN) and LSUB (RFC 3501 §6.3.9).
 */
import { listResponse, ok, statusResponse, type ImapResponse } from '../../protocol/imap/index.js';
import type { ImapSession } from '../session.js';
import { DELIMITER, folderTree, listAttributes, patternMatcher } from '../folders.js';
import { statusItems } from './mailboxes.js';
import type { CommandOf } from './spec.js';

export async function listCommand(s: ImapSession, cmd: CommandOf<'LIST'>): Promise<ImapResponse> {
  const names = { utf8: s.utf8 };
  // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root.
  if (!cmd.extended && cmd.patterns.length === 1 && cmd.patterns[0] === '') {
    await s.write(listResponse({ name: '', attributes: ['\\Noselect'], delimiter: DELIMITER }, names));
    return ok(cmd.tag, 'LIST completed');
  }
  const matchers = cmd.patterns.map((p) => patternMatcher(cmd.reference, p));
  const tree = folderTree(await s.ctx.store.listFolders(s.mailbox().id));
  const { selection, returns } = cmd;
  const subscribed = tree.filter((n) => n.folder?.subscribed).map((n) => n.name);
  for (const node of tree) {
    if (!matchers.some((m) => m(node.name))) continue;
    let childInfo: string[] | undefined;
    if (selection.subscribed && !node.folder?.subscribed) {
      // RFC 5258 §3.5: with RECURSIVEMATCH, a parent of a subscribed mailbox is listed with CHILDINFO.
      if (!selection.recursiveMatch || !subscribed.some((n) => n.startsWith(`${node.name}${DELIMITER}`))) continue;
      childInfo = ['SUBSCRIBED'];
    }
    if (selection.specialUse && !node.folder?.specialUse) continue;
    const attributes = listAttributes(node, { subscribed: selection.subscribed || returns.subscribed, specialUse: true });
    await s.write(listResponse({ name: node.name, attributes, delimiter: DELIMITER, ...(childInfo ? { childInfo } : {}) }, names));
    if (returns.status && node.folder) await s.write(statusResponse(node.name, await statusItems(s, node.folder, returns.status), names));
  }
  return ok(cmd.tag, 'LIST completed');
}

export async function lsub(s: ImapSession, cmd: CommandOf<'LSUB'>): Promise<ImapResponse> {
  const names = { utf8: s.utf8 };
  if (cmd.pattern === '') {
    await s.write(listResponse({ name: '', attributes: ['\\Noselect'], delimiter: DELIMITER }, names, 'LSUB'));
    return ok(cmd.tag, 'LSUB completed');
  }
  const match = patternMatcher(cmd.reference, cmd.pattern);
  for (const folder of await s.ctx.store.listFolders(s.mailbox().id)) {
    if (!folder.subscribed || !match(folder.name)) continue;
    await s.write(listResponse({ name: folder.name, attributes: [], delimiter: DELIMITER }, names, 'LSUB'));
  }
  return ok(cmd.tag, 'LSUB completed');
}
