import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfigText } from '../../src/config/load.js';
import { initialConfigText } from '../../src/config/write.js';
import { configMarkdown } from '../../src/config/doc.js';
import { LISTENER_ROLES, SCHEMA } from '../../src/config/schema.js';

const base = initialConfigText({ hostname: 'mail.example.test', domain: 'example.test', standardPorts: false, dnsServers: ['127.0.0.1:5353'] });
const load = (text: string) => parseConfigText(text, '/data', '/data/outpost.toml');
const fails = (text: string, ...patterns: RegExp[]) => {
  assert.throws(
    () => load(text),
    (e: Error) => {
      for (const p of patterns) assert.match(e.message, p);
      return (e as { code?: string }).code === 'config';
    },
  );
};

describe('configuration', () => {
  it('loads what init writes, with defaults filled in and paths resolved', () => {
    const c = load(base);
    assert.equal(c.server.hostname, 'mail.example.test');
    assert.deepEqual(c.listen.imap, [{ host: '127.0.0.1', port: 2143 }]);
    assert.equal(c.public.hostname, 'mail.example.test');
    assert.equal(c.public.ports.submission, 2587);
    assert.deepEqual(c.dns.servers, ['127.0.0.1:5353']);
    assert.equal(c.tls.cert, '/data/tls/cert.pem');
    assert.equal(c.store.path, '/data/outpost.db');
    assert.equal(c.accounts.defaultQuotaBytes, 1024 ** 3);
    const std = load(initialConfigText({ hostname: 'mail.example.test', domain: 'example.test', standardPorts: true }));
    assert.deepEqual(
      LISTENER_ROLES.map((r) => std.listen[r]![0]!.port),
      [25, 587, 465, 143, 993, 110, 995, 80, 443, 2525],
    );
    assert.equal(std.listen.mx![0]!.host, '0.0.0.0');
  });

  it('[public] overrides what clients are told; arrays of listen addresses; absent listeners are off', () => {
    const c = load(
      base
        .replace(/^imap\s*=.*$/m, 'imap = ["127.0.0.1:2143", "[::1]:2143"]')
        .replace(/^pop3\s*=.*$/m, '')
        .replace('# submission = 587', 'submission = 587\nhostname = "mx.example.net"'),
    );
    assert.deepEqual(c.listen.imap, [
      { host: '127.0.0.1', port: 2143 },
      { host: '::1', port: 2143 },
    ]);
    assert.equal(c.listen.pop3, undefined);
    assert.equal(c.public.ports.pop3, undefined);
    assert.equal(c.public.ports.submission, 587);
    assert.equal(c.public.hostname, 'mx.example.net');
  });

  it('stops on an unknown key or section, suggesting the right one', () => {
    fails(base.replace(/^imap(\s*=)/m, 'imapp$1'), /unknown key "imapp" in \[listen\]/, /Did you mean "imap"\?/);
    fails(base.replace('[dns]', '[dnss]'), /unknown section \[dnss\]/, /Did you mean "dns"\?/);
  });

  it('stops on a bad value, naming the key, the value and the fix', () => {
    fails(base.replace(/^imap\s*=.*$/m, 'imap = "127.0.0.1:99999"'), /\[listen\] imap = "127\.0\.0\.1:99999" is not valid: the port must be from 1 to 65535/, /Fix: write it like imap = "127\.0\.0\.1:2143"/);
    fails(base.replace(/^imap\s*=.*$/m, 'imap = "localhost"'), /\[listen\] imap = "localhost" is not valid: .*host:port/);
    fails(base.replace('default_allowance = 5', 'default_allowance = 0'), /\[accounts\] default_allowance = 0 is not valid: it must be from 1 to 10000/);
    fails(base.replace('default_quota = "1G"', 'default_quota = "lots"'), /default_quota = "lots" is not valid/);
    fails(base.replace('level = "info"', 'level = "loud"'), /\[log\] level = "loud" is not valid: it must be one of "trace", "debug"/);
    fails(base.replace('servers = ["127.0.0.1:5353"]', 'servers = ["dns.google"]'), /\[dns\] servers = \["dns\.google"\] is not valid: "dns\.google" is not an IP address/);
    fails(base.replace('hostname = "mail.example.test"', 'hostname = "mail example"'), /\[server\] hostname = "mail example" is not valid/);
    fails(base.replace(/^pop3\s*=.*$/m, 'pop3 = "127.0.0.1:2143"'), /\[listen\] (imap|pop3) and (imap|pop3) both use 127\.0\.0\.1:2143/);
    fails(base.replace(/^hostname = .*$/m, ''), /\[server\] hostname is missing/);
    fails(base.replace('[server]', '[server'), /is not valid TOML/);
  });

  it('docs/CONFIG.md documents every key and matches the schema (run `npm run docs:config` to refresh)', () => {
    const doc = readFileSync(new URL('../../docs/CONFIG.md', import.meta.url), 'utf8');
    assert.equal(doc, configMarkdown(), 'docs/CONFIG.md is stale');
    for (const [section, spec] of Object.entries(SCHEMA)) {
      assert.match(doc, new RegExp(`## \\[${section}\\]`));
      for (const key of Object.keys(spec.fields)) assert.ok(doc.includes(`| \`${key}\` |`), `${section}.${key} documented`);
    }
  });
});
