/**
 * Test kit for the outbound queue: a scripted remote SMTP server on loopback (answers chosen per test: 4xx, 5xx,
 * silence), and an in-process queue harness (real SQLite store, real resolver against the test DNS server, real
 * SMTP client) with a controllable clock.
 */
import net from 'node:net';
import tls from 'node:tls';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText, type Config } from '../../src/config/load.js';
import { createLogger } from '../../src/app/logger.js';
import { createResolver } from '../../src/dns/node-resolver.js';
import { createQueueRunner, type QueueRunner } from '../../src/queue/index.js';
import { startDnsServer, type TestDnsServer, type ZoneRecord } from '../kit/dns-server.js';
import { testServices, type TestServices } from '../kit/services.js';

export interface ReceivedMessage {
  mailFrom: string;
  rcpts: string[];
  data: string;
  /** The MAIL command as sent (for BODY= and SMTPUTF8 parameters). */
  mail: string;
  /** Whether it came over TLS. */
  tls: boolean;
}

export interface ScriptedReplies {
  /** Offer STARTTLS with this certificate (PEM); the raw reply to STARTTLS may be scripted (e.g. with injected lines). */
  tls?: { key: string; cert: string; reply?: string };
  /** Reply to the greeting ('silent' = never greet). */
  greeting?: () => string | 'silent';
  ehlo?: string[];
  mail?: (from: string) => string;
  rcpt?: (to: string, n: number) => string;
  /** Reply after the data ('silent' = never answer). */
  data?: (n: number) => string | 'silent';
}

export interface ScriptedServer {
  port: number;
  received: ReceivedMessage[];
  /** Every command line received, in order. */
  commands: string[];
  connections: number;
  /** Completed TLS handshakes. */
  handshakes: number;
  close(): Promise<void>;
}

/** A tiny SMTP server that answers as the test says (STARTTLS only when `replies.tls` is given). */
export async function startScriptedSmtp(replies: ScriptedReplies = {}): Promise<ScriptedServer> {
  const state: ScriptedServer = { port: 0, received: [], commands: [], connections: 0, handshakes: 0, close: async () => undefined };
  let rcptCount = 0;
  let dataCount = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((plain) => {
    sockets.add(plain);
    plain.on('close', () => sockets.delete(plain));
    plain.on('error', () => undefined);
    state.connections++;
    let socket: net.Socket = plain;
    let secure = false;
    let buffer = '';
    let inData = false;
    let tx: ReceivedMessage | null = null;
    const greeting = replies.greeting?.() ?? '220 remote.test ESMTP scripted';
    if (greeting !== 'silent') socket.write(`${greeting}\r\n`);
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const data = buffer.slice(0, end + 2);
          buffer = buffer.slice(end + 5);
          inData = false;
          const reply = replies.data?.(++dataCount) ?? '250 2.0.0 ok queued';
          if (tx && reply.startsWith('2')) state.received.push({ ...tx, data: data.replace(/^\.\./gm, '.') });
          if (reply !== 'silent') socket.write(`${reply}\r\n`);
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        state.commands.push(line);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          const ext = [...(replies.ehlo ?? ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'DSN', 'SIZE 10000000']), ...(replies.tls && !secure ? ['STARTTLS'] : [])];
          socket.write(['250-remote.test', ...ext].map((l, i, a) => (i === a.length - 1 ? `250 ${l.replace(/^250-/, '')}` : l.startsWith('250-') ? l : `250-${l}`)).join('\r\n') + '\r\n');
        } else if (verb === 'HELO') socket.write('250 remote.test\r\n');
        else if (verb === 'MAIL') {
          const from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          const reply = replies.mail?.(from) ?? '250 2.1.0 ok';
          if (reply.startsWith('2')) tx = { mailFrom: from, rcpts: [], data: '', mail: line, tls: secure };
          socket.write(`${reply}\r\n`);
        } else if (verb === 'RCPT') {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? '';
          const reply = replies.rcpt?.(to, ++rcptCount) ?? '250 2.1.5 ok';
          if (reply.startsWith('2')) tx?.rcpts.push(to);
          socket.write(`${reply}\r\n`);
        } else if (verb === 'DATA') {
          if (!tx || tx.rcpts.length === 0) socket.write('554 5.5.1 no valid recipients\r\n');
          else {
            inData = true;
            socket.write('354 go ahead\r\n');
          }
        } else if (verb === 'RSET') {
          tx = null;
          socket.write('250 2.0.0 ok\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 2.0.0 bye\r\n');
        } else if (line.toUpperCase() === 'STARTTLS' && replies.tls && !secure) {
          socket.write(`${replies.tls.reply ?? '220 2.0.0 ready to start TLS'}\r\n`);
          socket.removeListener('data', onData);
          buffer = '';
          tx = null;
          secure = true;
          const tlsSocket = new tls.TLSSocket(plain, { isServer: true, key: replies.tls.key, cert: replies.tls.cert });
          tlsSocket.on('secure', () => state.handshakes++);
          tlsSocket.on('error', () => plain.destroy());
          tlsSocket.on('data', onData);
          socket = tlsSocket;
          return;
        } else socket.write('502 5.5.2 not implemented\r\n');
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as net.AddressInfo).port;
  state.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}

export interface QueueHarness {
  svc: TestServices;
  dns: TestDnsServer;
  config: Config;
  runner: QueueRunner;
  /** Claims what is due and waits for those deliveries to finish. */
  run(): Promise<number>;
  /** Advances the clock. */
  advance(ms: number): void;
  /** Queues a message from `mailFrom` to `rcpts` (as the SMTP server would). */
  queue(raw: string, mailFrom: string, rcpts: string[], params?: Record<string, string>): Promise<number[]>;
  alice: { id: number; address: string };
  close(): Promise<void>;
}

export const DOMAIN = 'example.test';
export const HOSTNAME = 'mail.example.test';

/** The queue harness: example.test is ours (postmaster and alice), the zone is given, `extraToml` adds config. */
export async function queueHarness(
  zone: Record<string, ZoneRecord[]>,
  extraToml = '',
  dnsFaults: { servfail?: string[]; timeout?: string[] } = {},
  runnerOptions: { leaseMaxMs?: number } = {},
): Promise<QueueHarness> {
  const dns = await startDnsServer({ records: zone, ...dnsFaults });
  const svc = await testServices();
  const dir = mkdtempSync(join(tmpdir(), 'outpost-queue-'));
  const config = parseConfigText(
    `[server]\nhostname = "${HOSTNAME}"\ndomain = "${DOMAIN}"\n[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 300\ntries = 1\n` +
      `[queue]\n${[['connect_timeout', '2s'], ['greeting_timeout', '1s'], ['command_timeout', '1s']]
        .filter(([k]) => !new RegExp(`^${k} =`, 'm').test(extraToml))
        .map(([k, v]) => `${k} = "${v}"\n`)
        .join('')}${extraToml}`,
    dir,
  );
  await svc.accounts.bootstrap(DOMAIN, 'Correct-Horse-Battery-9');
  const alice = await svc.accounts.addMailbox(`alice@${DOMAIN}`, 'Staple-Lantern-Orbit-7');
  const runner = createQueueRunner({
    config,
    store: svc.store,
    resolver: createResolver({ servers: [dns.server], timeoutMs: 300, tries: 1 }),
    log: createLogger('silent'),
    now: () => svc.clock.now,
    ...runnerOptions,
  });
  return {
    svc,
    dns,
    config,
    runner,
    alice: { id: alice.id, address: alice.address },
    async run() {
      const n = await runner.tick();
      await runner.drain();
      return n;
    },
    advance(ms) {
      svc.clock.now += ms;
    },
    async queue(raw, mailFrom, rcpts, params = {}) {
      const bytes = Buffer.from(raw.replace(/\r?\n/g, '\r\n'));
      const r = await svc.store.deliver({
        raw: bytes,
        meta: { size: bytes.length, subject: null, from: null, to: null, cc: null, date: null, messageId: null, inReplyTo: null, references: null, structure: null },
        receivedAt: svc.clock.now,
        targets: [],
        queue: rcpts.map((rcptTo) => ({ mailFrom, rcptTo, params, submitterId: alice.id, nextAttemptAt: svc.clock.now })),
      });
      return r.queueIds;
    },
    async close() {
      await runner.stop(100);
      await svc.close();
      await dns.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The messages in a mailbox's INBOX, raw. */
export async function inboxMessages(h: QueueHarness, mailboxId: number): Promise<string[]> {
  const f = await h.svc.store.getFolder(mailboxId, 'INBOX');
  const entries = await h.svc.store.listEntries(f!.id);
  return Promise.all(entries.map(async (e) => (await h.svc.store.blobs.get(e.blobId))!.toString('utf8')));
}

/** Splits a multipart/report into its parts: [{headers, body}]; asserts nothing. */
export function reportParts(raw: string): Array<{ type: string; body: string }> {
  const boundary = /boundary="([^"]+)"/.exec(raw)?.[1];
  if (!boundary) return [];
  return raw
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => {
      const sep = p.indexOf('\r\n\r\n');
      const headers = p.slice(0, sep);
      return { type: /content-type:\s*([^;\r\n]+)/i.exec(headers)?.[1]?.trim() ?? '', body: p.slice(sep + 4) };
    });
}

export const MESSAGE = `From: Alice <alice@${DOMAIN}>\nTo: bob@remote.test\nSubject: hello there\nDate: Thu, 01 Jan 2026 00:00:00 +0000\nMessage-ID: <m1@${DOMAIN}>\n\nHello Bob.\n.leading dot\n`;

/** A self-signed certificate (openssl) for the given DNS names; `pem` is also its own CA for `tls_ca_file`. */
export function selfSignedCert(names: string[]): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
      '-days', '2', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PolicyServer {
  port: number;
  /** The body served at /.well-known/mta-sts.txt (change it between attempts). */
  policy: string;
  /** Requests received (host header and path). */
  requests: Array<{ host: string; path: string }>;
  close(): Promise<void>;
}

/** A loopback HTTPS server for MTA-STS policies (RFC 8461 §3.3), with the certificate given. */
export async function startPolicyServer(cert: { key: string; cert: string }, policy: string): Promise<PolicyServer> {
  const state: PolicyServer = { port: 0, policy, requests: [], close: async () => undefined };
  const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    state.requests.push({ host: req.headers.host ?? '', path: req.url ?? '' });
    if (req.url !== '/.well-known/mta-sts.txt') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(state.policy);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as net.AddressInfo).port;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}

/**
 * dkimpy (python3-dkim), an independent verifier: every DKIM-Signature of `message` checked, with a DNS function
 * answering only the given TXT records. Returns "PASS" when every signature verifies (and there is at least one).
 */
export function dkimpyVerifyAll(message: Buffer | string, records: Record<string, string>): string {
  const script = [
    'import sys, json, dkim',
    'msg = sys.stdin.buffer.read()',
    `records = json.loads(${JSON.stringify(JSON.stringify(records))})`,
    'def dnsfunc(name, timeout=5):',
    "    v = records.get(name.decode().rstrip('.'))",
    '    return v.encode() if v else None',
    'd = dkim.DKIM(msg)',
    "n = len([l for l in msg.split(b'\\r\\n\\r\\n', 1)[0].split(b'\\r\\n') if l.lower().startswith(b'dkim-signature:')])",
    'def check(i):',
    '    try:',
    '        return d.verify(idx=i, dnsfunc=dnsfunc)',
    '    except dkim.ValidationError:',
    '        return False',
    "ok = n > 0 and all(check(i) for i in range(n))",
    "print('PASS' if ok else 'FAIL %d' % n)",
  ].join('\n');
  return execFileSync('/usr/bin/python3', ['-c', script], { input: message }).toString().trim();
}
