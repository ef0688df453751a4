/**
 * Private keys at rest: certificate keys and the ACME account key are sealed (AES-256-GCM) with a secret kept in a
 * file beside the store, not in it, so a copy of the database alone (a backup) does not hold usable keys. Every node
 * that serves the certificates needs the same secret file (`[acme] secret_file`). Text that is not sealed (written
 * before sealing existed) is read as it is.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../lib/errors.js';

const PREFIX = 'sealed:v1:';
const KEY_OCTETS = 32;
const IV_OCTETS = 12;
const TAG_OCTETS = 16;

export class KeySealer {
  #key: Buffer | null = null;

  constructor(private readonly secretPath: string) {}

  /** Reads the secret, creating it (mode 0600) on first use; a concurrent creator's secret wins. */
  private key(): Buffer {
    if (this.#key) return this.#key;
    try {
      mkdirSync(dirname(this.secretPath), { recursive: true, mode: 0o700 });
      writeFileSync(this.secretPath, randomBytes(KEY_OCTETS).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError('tls', `cannot create [acme] secret_file ${this.secretPath}: ${(e as Error).message}`);
    }
    const key = Buffer.from(readFileSync(this.secretPath, 'utf8').trim(), 'base64');
    if (key.length !== KEY_OCTETS) throw new UserError('tls', `[acme] secret_file ${this.secretPath} does not hold a 32-byte base64 secret`);
    this.#key = key;
    return key;
  }

  /** `context` (e.g. the certificate group) is authenticated with the key, so a sealed key cannot be moved to another row. */
  seal(pem: string, context: string): string {
    const iv = randomBytes(IV_OCTETS);
    const cipher = createCipheriv('aes-256-gcm', this.key(), iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  unseal(text: string, context: string): string {
    if (!text.startsWith(PREFIX)) return text;
    const raw = Buffer.from(text.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key(), raw.subarray(0, IV_OCTETS));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(IV_OCTETS, IV_OCTETS + TAG_OCTETS));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_OCTETS + TAG_OCTETS)), decipher.final()]).toString('utf8');
    } catch {
      throw new UserError('tls', `a stored private key does not open with ${this.secretPath}: copy the secret file of the node that ordered it`);
    }
  }
}
