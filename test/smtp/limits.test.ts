/**
 * Configurable limits and policies against the real server: the pre-greeting wait (a client that talks first is
 * dropped; the greeting is otherwise immediate), connections per IP, the trusted-network relay (off by default,
 * strict at config load, rate limited), per-mailbox sending limits, and CLI changes taking effect on a running
 * server without a restart.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initialConfigText } from '../../src/config/write.js';
import { parseConfigText } from '../../src/config/load.js';
import { inTrustedNetwork } from '../../src/smtp/relay-policy.js';
import { RawClient, message, run, sendMessage, signedIn, startSmtpServer, storeView, PASSWORD } from './kit.js';

describe('greeting', () => {
  it('is immediate by default (no fixed delay)', async () => {
    const server = await startSmtpServer();
    try {
      // The fastest of five greetings: a fixed delay (smtp-server waits 100 ms) shows in every one, while a busy
      // machine's scheduling hiccups do not.
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const c = await RawClient.open(server.port.mx);
        assert.match((await c.reply())!, /^220 /);
        times.push(performance.now() - t0);
        c.close();
      }
      assert.ok(Math.min(...times) < 80, `greeted in ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    } finally {
      await server.stop();
    }
  });

  it('with greeting_delay_ms, a client that pipelines before the greeting is closed; a patient one is served; connections per IP are capped', async () => {
    const server = await startSmtpServer({ smtp: ['greeting_delay_ms = 400', 'connections_per_ip = 2'] });
    try {
      const rude = await RawClient.open(server.port.mx);
      rude.send('EHLO spam.test\r\nMAIL FROM:<x@spam.test>\r\n');
      assert.ok(await rude.closedWithin(3000), 'the early talker is closed');
      assert.doesNotMatch(rude.pending, /^250/m, 'and never got a 250');
      const a = await RawClient.open(server.port.mx);
      const b = await RawClient.open(server.port.mx);
      const t0 = performance.now();
      assert.match((await a.reply())!, /^220 /);
      assert.ok(performance.now() - t0 >= 300, 'greeted after the wait');
      assert.match((await b.reply())!, /^220 /);
      const third = await RawClient.open(server.port.mx);
      assert.match((await third.reply())!, /^421 4\.7\.0 too many connections/);
      a.close();
      b.close();
    } finally {
      await server.stop();
    }
  });
});

describe('trusted networks (the provider model)', () => {
  it('config: entries are parsed strictly (no octal, hex or short forms)', () => {
    const base = initialConfigText({ hostname: 'mail.example.test', domain: 'example.test', standardPorts: false, dnsServers: ['127.0.0.1:5353'] });
    const load = (nets: string) => parseConfigText(`${base}\n[smtp]\ntrusted_networks = ${nets}\n`, '/data', '/data/outpost.toml');
    for (const bad of ['"010.0.0.0/8"', '"0x7f.0.0.1"', '"127.1"', '"10.0.0.1/33"', '"10.0.0.1/08"', '"10.0.0.0 /8"', '"example.com"'])
      assert.throws(() => load(`[${bad}]`), /\[smtp\] trusted_networks = .* is not valid/, bad);
    const c = load('["192.0.2.0/24", "2001:db8::/32"]');
    assert.equal(c.smtp.trustedNetworks.length, 2);
    assert.ok(inTrustedNetwork(c.smtp.trustedNetworks, '192.0.2.77'));
    assert.ok(inTrustedNetwork(c.smtp.trustedNetworks, '::ffff:192.0.2.77'), 'IPv4-mapped IPv6');
    assert.ok(inTrustedNetwork(c.smtp.trustedNetworks, '2001:db8::5'));
    assert.ok(!inTrustedNetwork(c.smtp.trustedNetworks, '192.0.3.1'));
    assert.equal(load('[]').smtp.trustedNetworks.length, 0);
  });

  it('a client inside relays without a password, logged and rate limited (451 4.7.1 past the limit)', async () => {
    const server = await startSmtpServer({ smtp: ['trusted_networks = ["127.0.0.0/8"]', 'trusted_relay_per_hour = 2'] });
    try {
      const c = await RawClient.open(server.port.mx);
      await c.reply();
      await c.cmd('EHLO customer.test');
      for (let i = 0; i < 2; i++) assert.match((await sendMessage(c, 'me@customer.test', ['them@elsewhere.test'], message('me@customer.test', 'them@elsewhere.test', `relay-${i}`)))!, /^250 /);
      await c.cmd('MAIL FROM:<me@customer.test>');
      assert.match((await c.cmd('RCPT TO:<them@elsewhere.test>'))!, /^451 4\.7\.1 /);
      c.close();
      const view = await storeView(server.dir);
      assert.equal((await view.queue()).filter((q) => q.rcptTo === 'them@elsewhere.test').length, 2);
      await view.close();
      assert.ok(server.serve.logs().some((l) => l.msg === 'smtp.relay.trusted-network'), 'each such relay is logged');
    } finally {
      await server.stop();
    }
  });
});

describe('sending limits per mailbox', () => {
  it('messages per hour: the next MAIL gets 451 4.7.1', async () => {
    const server = await startSmtpServer({ smtp: ['messages_per_hour = 2'] });
    try {
      const c = await signedIn(server.port.submissions);
      for (let i = 0; i < 2; i++)
        assert.match((await sendMessage(c, 'alice@example.test', ['alice@example.test'], message('alice@example.test', 'alice@example.test', `n${i}`)))!, /^250 /);
      assert.match((await c.cmd('MAIL FROM:<alice@example.test>'))!, /^451 4\.7\.1 .*messages per hour/);
      c.close();
    } finally {
      await server.stop();
    }
  });
});

describe('a CLI change made while serve runs takes effect without a restart', () => {
  it('account add → AUTH works; app-password add → works; revoke → AUTH fails', async () => {
    const server = await startSmtpServer();
    const swaks = (user: string, pass: string) =>
      run('swaks', ['--server', `127.0.0.1:${server.port.submissions}`, '--tlsc', '--auth', 'PLAIN', '--auth-user', user, '--auth-password', pass, '--quit-after', 'AUTH']);
    try {
      assert.equal((await swaks('dave@example.test', PASSWORD)).code, 28, 'unknown before');
      assert.equal((await server.cli(['account', 'add', 'dave@example.test', '--password-stdin'], `${PASSWORD}\n`)).code, 0);
      assert.equal((await swaks('dave@example.test', PASSWORD)).code, 0, 'works right after account add');
      const app = await server.cli(['app-password', 'add', 'dave@example.test', 'phone']);
      assert.equal(app.code, 0, app.stderr);
      const secret = /([A-Za-z0-9-]{16,})\s*$/m.exec(app.stdout)?.[1];
      assert.ok(secret, app.stdout);
      assert.equal((await swaks('dave@example.test', secret)).code, 0, 'the app password works');
      assert.equal((await server.cli(['app-password', 'revoke', 'dave@example.test', 'phone'])).code, 0);
      assert.equal((await swaks('dave@example.test', secret)).code, 28, 'revoked: AUTH fails');
    } finally {
      await server.stop();
    }
  });
});
