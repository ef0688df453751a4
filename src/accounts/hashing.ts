/**
 * Password hashing: argon2id (RFC 9106) with OWASP's recommended minimum for interactive logins
 * (19 MiB memory, 2 passes, 1 lane). Hashes are PHC strings, so parameters can be raised later without a migration.
 */
import { hash, verify } from '@node-rs/argon2';
import { createHash, randomInt } from 'node:crypto';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** A real hash of an unguessable value, verified against for unknown users so they take the same time. */
  readonly decoy: Promise<string>;
}

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

export function createArgon2Hasher(opts: { memoryCostKiB?: number; timeCost?: number } = {}): PasswordHasher {
  const options = { algorithm: ARGON2ID, memoryCost: opts.memoryCostKiB ?? 19_456, timeCost: opts.timeCost ?? 2, parallelism: 1 };
  const h = (password: string) => hash(password, options as Parameters<typeof hash>[1]);
  return {
    hash: h,
    async verify(stored: string, password: string): Promise<boolean> {
      try {
        return await verify(stored, password);
      } catch {
        return false; // a malformed stored hash never signs anyone in
      }
    },
    decoy: h(`decoy-${Date.now()}-${Math.random()}`),
  };
}

/** App passwords are generated, high-entropy secrets: 20 characters from a 31-letter alphabet ≈ 99 bits. */
const APP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function generateAppPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 5; g++) {
    let s = '';
    for (let i = 0; i < 4; i++) s += APP_ALPHABET[randomInt(APP_ALPHABET.length)];
    groups.push(s);
  }
  return groups.join('-');
}

/** Users type app passwords with or without dashes and spaces, in any case. */
export function hashAppPassword(secret: string): string {
  const normalised = secret.replace(/[\s-]/g, '').toLowerCase();
  return createHash('sha256').update(`outpost-app-password:${normalised}`).digest('hex');
}

/** A random initial password for `outpost init` (printed once). */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}
