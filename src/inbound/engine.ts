/**
 * The built-in spam engine: a transparent sum of weighted signals. Weights follow SpamAssassin's order of magnitude
 * for the same evidence, so a single weak signal never files mail in Junk and a blocklist listing alone does.
 */
import type { InboundContext, ScoreReason, SpamEngine, SpamSignals } from './types.js';

export const RULE_SCORES = {
  blocklisted: 7,
  spfFail: 3.5,
  spfSoftfail: 1.5,
  dkimFail: 2,
  dmarcFail: 3,
  heloBad: 1.5,
  heloIsOurName: 3,
  firstTimeSender: 0.5,
  missingMessageId: 1,
  /** Aligned, authenticated mail from a domain that publishes DMARC is good evidence of a real sender. */
  dmarcPass: -2,
} as const;

export class BuiltinSpamEngine implements SpamEngine {
  readonly name = 'builtin';

  async score(_ctx: InboundContext, s: SpamSignals): Promise<{ score: number; reasons: ScoreReason[] }> {
    const reasons: ScoreReason[] = [];
    const add = (rule: string, score: number, detail?: string) => reasons.push(detail ? { rule, score, detail } : { rule, score });
    for (const zone of s.blocklisted) add('BLOCKLISTED', RULE_SCORES.blocklisted, zone);
    if (s.auth.spf === 'fail') add('SPF_FAIL', RULE_SCORES.spfFail);
    if (s.auth.spf === 'softfail') add('SPF_SOFTFAIL', RULE_SCORES.spfSoftfail);
    for (const d of s.auth.dkim) if (d.result === 'fail' || d.result === 'neutral') add('DKIM_FAIL', RULE_SCORES.dkimFail, d.domain);
    if (s.auth.dmarc?.result === 'fail') add('DMARC_FAIL', RULE_SCORES.dmarcFail, s.auth.dmarc.domain);
    if (s.auth.dmarc?.result === 'pass') add('DMARC_PASS', RULE_SCORES.dmarcPass, s.auth.dmarc.domain);
    for (const p of s.heloProblems) add(p === 'helo-is-our-name' ? 'HELO_FORGED' : 'HELO_BAD', p === 'helo-is-our-name' ? RULE_SCORES.heloIsOurName : RULE_SCORES.heloBad, p);
    if (s.firstTimeSender) add('FIRST_TIME_SENDER', RULE_SCORES.firstTimeSender);
    if (s.missingMessageId) add('NO_MESSAGE_ID', RULE_SCORES.missingMessageId);
    return { score: Math.round(reasons.reduce((n, r) => n + r.score, 0) * 10) / 10, reasons };
  }
}
