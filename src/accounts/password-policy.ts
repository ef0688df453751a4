/**
 * What makes a password acceptable: long enough (NIST SP 800-63B §5.1.1.2 asks for a minimum length and a check
 * against lists of commonly used or compromised values, and no composition rules), not containing the address,
 * and not a common password with a few digits or symbols stuck on.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { accountLimits } from '../lib/limits.js';
import { UserError } from '../lib/errors.js';

/** data/common-passwords.txt, relative to both src/accounts (tsx) and dist/accounts (compiled). */
const LIST_PATH = fileURLToPath(new URL('../../data/common-passwords.txt', import.meta.url));

export function loadCommonPasswords(path = LIST_PATH): ReadonlySet<string> {
  const words = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  return new Set(words);
}

export class WeakPasswordError extends UserError {
  constructor(why: string) {
    super('weak', `weak password: ${why}`);
  }
}

export class PasswordPolicy {
  constructor(
    private readonly common: ReadonlySet<string>,
    private readonly minLength: number = accountLimits.passwordMinLength,
  ) {}

  /** Returns why the password is weak, or undefined when it is acceptable. */
  problem(password: string, address: string): string | undefined {
    const chars = [...password];
    if (chars.length < this.minLength) return `it must be at least ${this.minLength} characters long (it has ${chars.length})`;
    if (chars.length > accountLimits.passwordMaxLength) return `it may be at most ${accountLimits.passwordMaxLength} characters long`;
    if (/[\u0000-\u001f\u007f]/.test(password)) return 'it contains control characters';
    const lower = password.toLowerCase();
    const at = address.lastIndexOf('@');
    const local = address.slice(0, at).toLowerCase();
    if (lower.includes(address.toLowerCase())) return 'it contains the address';
    if (local.length >= 3 && lower.includes(local)) return 'it contains the part of the address before @';
    if (this.common.has(lower)) return 'it is one of the most common passwords';
    const core = lower.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
    if (core.length > 0 && this.common.has(core)) return `it is the common password "${core}" with digits or symbols added`;
    if (core.length === 0 && this.isPattern(lower)) return 'it is a simple sequence or repetition';
    if (new Set(chars).size < 4) return 'it uses fewer than 4 different characters';
    return undefined;
  }

  check(password: string, address: string): void {
    const why = this.problem(password, address);
    if (why) throw new WeakPasswordError(why);
  }

  /** Digits or symbols only, made of one repeated step (1234567890, 2468024680, 9876543210, 1111111111). */
  private isPattern(s: string): boolean {
    const codes = [...s].map((c) => c.codePointAt(0)!);
    const steps = new Set(codes.slice(1).map((c, i) => (((c - codes[i]!) % 10) + 10) % 10));
    return steps.size <= 1;
  }
}
