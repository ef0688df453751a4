/**
 * Liveness and readiness for a supervisor or load balancer: `/healthz` answers while the process runs; `/readyz`
 * answers 200 only when every configured listener is bound and the store answers a read within a deadline.
 */
import type { Store } from '../store/types.js';
import { opsLimits } from '../lib/limits.js';

export interface ReadinessReport {
  ready: boolean;
  listeners: boolean;
  store: boolean;
  /** Why it is not ready, in plain words (empty when ready). */
  problems: string[];
}

export class Readiness {
  #listenersUp = false;

  constructor(private readonly store: Pick<Store, 'getCounter'>) {}

  /** Called by `outpost serve` once every listener is bound (and with false when it starts to stop). */
  setListenersUp(up: boolean): void {
    this.#listenersUp = up;
  }

  async check(): Promise<ReadinessReport> {
    const problems: string[] = [];
    if (!this.#listenersUp) problems.push('listeners are not up (starting or stopping)');
    let storeOk = false;
    try {
      // Any read proves the store answers; a key nobody writes keeps it cheap.
      await withTimeout(this.store.getCounter('readyz'), opsLimits.readinessStoreTimeoutMs);
      storeOk = true;
    } catch (e) {
      problems.push(`the store does not answer: ${(e as Error).message}`);
    }
    return { ready: problems.length === 0, listeners: this.#listenersUp, store: storeOk, problems };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
