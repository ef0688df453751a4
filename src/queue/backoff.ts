/**
 * When to try again after a temporary failure (RFC 5321 §4.5.4.1: retry at least 30 minutes apart, give up after
 * 4–5 days; we start sooner, at 5 minutes by default, since most temporary failures are greylisting).
 */
export interface BackoffSchedule {
  retryFirstMs: number;
  retryMaxMs: number;
}

/** The wait after the `attempts`-th failed attempt (1 = the first): doubling from `retryFirstMs`, capped at `retryMaxMs`. */
export function retryDelay(attempts: number, s: BackoffSchedule): number {
  const n = Math.max(1, attempts);
  return Math.min(s.retryFirstMs * 2 ** Math.min(n - 1, 30), s.retryMaxMs);
}
