/** Real services (SQLite store in a temp dir, argon2 hasher with light parameters) for in-process tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { AccountService } from '../../src/accounts/service.js';
import { PasswordPolicy, loadCommonPasswords } from '../../src/accounts/password-policy.js';
import { createArgon2Hasher, type PasswordHasher } from '../../src/accounts/hashing.js';
import { AuthLimiter, type LimiterSettings } from '../../src/auth/limiter.js';
import { AuthService } from '../../src/auth/service.js';
import type { Store } from '../../src/store/types.js';

export interface TestServices {
  store: Store;
  accounts: AccountService;
  auth: AuthService;
  limiter: AuthLimiter;
  hasher: PasswordHasher & { verifications: number };
  clock: { now: number };
  sleeps: number[];
  close(): Promise<void>;
}

export async function testServices(limits: Partial<LimiterSettings> = {}): Promise<TestServices> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-svc-'));
  const clock = { now: Date.UTC(2026, 0, 1) };
  const now = () => clock.now;
  const store = openSqliteStore({ path: join(dir, 'outpost.db'), now });
  const real = createArgon2Hasher({ memoryCostKiB: 1024, timeCost: 1 });
  const hasher = {
    verifications: 0,
    hash: real.hash,
    decoy: real.decoy,
    verify(h: string, p: string) {
      hasher.verifications++;
      return real.verify(h, p);
    },
  };
  const accounts = new AccountService({ store, hasher, policy: new PasswordPolicy(loadCommonPasswords()), now });
  const limiter = new AuthLimiter(store, now, limits);
  const sleeps: number[] = [];
  const auth = new AuthService({ store, hasher, limiter, now, sleep: async (ms) => void sleeps.push(ms) });
  return {
    store,
    accounts,
    auth,
    limiter,
    hasher,
    clock,
    sleeps,
    async close() {
      await auth.flush();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
