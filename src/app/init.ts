/** Creating a data directory: outpost.toml, a self-signed certificate, the store, the first domain and its postmaster. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../lib/errors.js';
import { CONFIG_FILE, loadConfig, parseConfigText } from '../config/load.js';
import { initialConfigText, type InitOptions } from '../config/write.js';
import { writeSelfSigned } from '../tls/certs.js';
import { generatePassword } from '../accounts/hashing.js';
import { createServices } from './services.js';

export interface InitResult {
  dataDir: string;
  postmaster: string;
  /** Shown once, never stored in clear. */
  password: string;
}

export async function initDataDir(dataDirInput: string, opts: InitOptions): Promise<InitResult> {
  const dataDir = resolve(dataDirInput);
  const file = join(dataDir, CONFIG_FILE);
  if (existsSync(file)) throw new UserError('exists', `${dataDir} is already initialised (${CONFIG_FILE} exists)`);
  const text = initialConfigText(opts);
  const config = parseConfigText(text, dataDir); // validates hostname, domain and addresses before anything is written
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  await writeSelfSigned(config.server.hostname, config.tls.cert, config.tls.key);
  writeFileSync(file, text);
  const services = createServices(loadConfig(dataDir));
  try {
    const password = generatePassword();
    const mailbox = await services.accounts.bootstrap(config.server.domain, password);
    return { dataDir, postmaster: mailbox.address, password };
  } finally {
    await services.close();
  }
}
