/** What an operator can tune about inbound checks (config `[inbound]`), with the defaults and their reasons. */
export interface InboundOptions {
  /** Our authserv-id (RFC 8601 §2.5): the MX host name. */
  authservId: string;
  /** What to do with a DMARC failure under p=reject: refuse (RFC 7489 §6.6.2 allows it), file in Junk, or ignore. */
  dmarcReject: 'reject' | 'junk' | 'ignore';
  /** What to do with a DMARC failure under p=quarantine. */
  dmarcQuarantine: 'junk' | 'ignore';
  /** DNS blocklist zones, e.g. `zen.spamhaus.org`; empty = none asked. */
  blocklists: string[];
  /** What a listed client gets: refused at DATA, or scored (and so usually filed in Junk). */
  blocklistAction: 'reject' | 'score';
  /** Score at or above which mail goes to Junk. */
  junkScore: number;
  /** Score at or above which mail is refused with 550 5.7.1. */
  rejectScore: number;
  /** Host names and domains that are ours: a client claiming them in EHLO is lying. */
  ourNames: string[];
}

export const defaultInboundOptions = (authservId: string): InboundOptions => ({
  authservId,
  dmarcReject: 'reject',
  dmarcQuarantine: 'junk',
  blocklists: [],
  blocklistAction: 'reject',
  // SpamAssassin's long-standing default threshold is 5; refusing needs much stronger evidence.
  junkScore: 5,
  rejectScore: 12,
  ourNames: [authservId],
});
