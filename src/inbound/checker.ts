/**
 * The inbound pipeline the MX runs when DATA ends, before it answers:
 *   strip forged Authentication-Results → SPF/DKIM/DMARC/ARC → DMARC policy → blocklists and reputation →
 *   spam score (engine) → per-recipient training → reject (550 5.7.1) or deliver to INBOX / Junk with headers.
 */
import type { Resolver } from '../dns/resolver.js';
import type { CounterStore } from '../store/types.js';
import { parseHeaderFields, splitMessage } from '../mail/header-block.js';
import { ReplyCode, EnhancedCode } from '../protocol/smtp/codes.js';
import type { InboundOptions } from './options.js';
import type { Disposition, InboundContext, InboundVerdict, ScoreReason, SenderAuth, SpamEngine } from './types.js';
import { verifySender } from './sender-auth.js';
import { stripForgedAuthResults } from './forged.js';
import { checkBlocklists } from './blocklists.js';
import { firstTimeSender, heloProblems } from './reputation.js';
import { BuiltinSpamEngine } from './engine.js';
import { SpamTraining } from './training.js';

/** How much a mailbox owner's own training moves the score for a sender. */
const TRAINING_WEIGHT = 10;

export interface InboundCheckerDeps {
  resolver: Resolver;
  counters: CounterStore;
  options: InboundOptions;
  now: () => number;
  engine?: SpamEngine;
}

export class InboundChecker {
  readonly training: SpamTraining;
  readonly #engine: SpamEngine;

  constructor(private readonly deps: InboundCheckerDeps) {
    this.training = new SpamTraining(deps.counters, deps.now);
    this.#engine = deps.engine ?? new BuiltinSpamEngine();
  }

  async check(ctx: InboundContext): Promise<InboundVerdict> {
    const o = this.deps.options;
    const { raw } = stripForgedAuthResults(ctx.raw, o.authservId);
    const auth = await verifySender({ ...ctx, raw }, this.deps.resolver, o.authservId);

    const dmarc = auth.dmarc;
    let forceJunk: ScoreReason | null = null;
    if (dmarc?.result === 'fail' && dmarc.policy === 'reject') {
      if (o.dmarcReject === 'reject')
        return this.refuse(`the domain ${dmarc.domain} publishes a DMARC policy of reject and this message failed it`, [{ rule: 'DMARC_REJECT', score: 0, detail: dmarc.domain }], auth);
      if (o.dmarcReject === 'junk') forceJunk = { rule: 'DMARC_REJECT_AS_JUNK', score: 0, detail: dmarc.domain };
    }
    if (dmarc?.result === 'fail' && dmarc.policy === 'quarantine' && o.dmarcQuarantine === 'junk')
      forceJunk = { rule: 'DMARC_QUARANTINE', score: 0, detail: dmarc.domain };

    const lists = await checkBlocklists(ctx.clientIp, o.blocklists, this.deps.resolver);
    if (lists.listed.length > 0 && o.blocklistAction === 'reject')
      return this.refuse(`your address ${ctx.clientIp} is listed by ${lists.listed.join(', ')}`, lists.listed.map((z) => ({ rule: 'BLOCKLISTED', score: 0, detail: z })), auth);

    const fields = parseHeaderFields(splitMessage(raw).header);
    const signals = {
      auth,
      blocklisted: lists.listed,
      blocklistErrors: lists.errors,
      firstTimeSender: await firstTimeSender(this.deps.counters, ctx.mailFrom, this.deps.now()),
      heloProblems: heloProblems(ctx.helo, ctx.clientIp, o.ourNames),
      missingMessageId: !fields.some((f) => f.lowerName === 'message-id'),
    };
    const { score, reasons } = await this.#engine.score(ctx, signals);
    if (forceJunk) reasons.push(forceJunk);
    if (score >= o.rejectScore) return this.refuse(`the message looks like spam (score ${score})`, reasons, auth);

    const folders = new Map<number, Disposition>();
    for (const r of ctx.recipients) {
      const standing = await this.training.standing(r.mailboxId, ctx.mailFrom);
      const own = score + standing * TRAINING_WEIGHT;
      folders.set(r.mailboxId, forceJunk || own >= o.junkScore ? 'junk' : 'inbox');
    }
    const isSpam = score >= o.junkScore || forceJunk !== null;
    const report = reasons.map((r) => `${r.rule}=${r.score}${r.detail ? `(${r.detail})` : ''}`).join(' ') || 'none';
    const headers =
      auth.header +
      `X-Spam: ${isSpam ? 'Yes' : 'No'}\r\n` +
      `X-Spam-Score: ${score} (junk at ${o.junkScore}, refused at ${o.rejectScore}; engine ${this.#engine.name})\r\n` +
      `X-Spam-Report: ${report}\r\n`;
    return { action: 'deliver', headers, raw, folders, score, reasons, auth };
  }

  private refuse(why: string, reasons: ScoreReason[], auth: SenderAuth | null): InboundVerdict {
    return {
      action: 'reject',
      // RFC 7489 §6.6.2 / RFC 3463 §3.8: 550 5.7.1, delivery not authorised.
      code: ReplyCode.MailboxUnavailable,
      enhanced: EnhancedCode.NotAuthorized,
      text: `Message refused: ${why}`,
      reasons,
      auth,
    };
  }
}
