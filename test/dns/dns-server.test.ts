/**
 * The test DNS server (test/kit/dns-server.ts) on the wire, with hand-built packets: what node's resolver never
 * shows (TC bits, EDNS sizes, TCP framing, FORMERR), so the kit can be trusted by the tests that use it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import fc from 'fast-check';
import * as packet from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet, Question } from 'dns-packet';
import { characterStrings, startDnsServer, type TestDnsServer } from '../kit/dns-server.js';

const BIG_TXT = 'x'.repeat(900);

/** A decoded reply; dns-packet sets `rcode` but its types leave it out. */
type Reply = DecodedPacket & { rcode: string };

function decode(message: Buffer): Reply {
  return packet.decode(message) as Reply;
}

function dataOf(answer: Answer | undefined): unknown {
  return answer !== undefined && 'data' in answer ? answer.data : undefined;
}

function query(question: Question, extra: Partial<Packet> = {}): Buffer {
  return packet.encode({ type: 'query', id: 4242, flags: packet.RECURSION_DESIRED, questions: [question], ...extra });
}

/** Sends one UDP datagram and returns the first reply. */
async function udpExchange(dns: TestDnsServer, message: Buffer): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  try {
    socket.send(message, dns.port, dns.host);
    const [reply] = (await once(socket, 'message', { signal: AbortSignal.timeout(2_000) })) as [Buffer];
    return reply;
  } finally {
    socket.close();
  }
}

/** Writes `chunks` on one TCP connection and collects `count` length-prefixed replies. */
async function tcpExchange(dns: TestDnsServer, chunks: readonly Buffer[], count: number): Promise<Reply[]> {
  const socket = net.connect(dns.port, dns.host);
  try {
    await once(socket, 'connect');
    for (const chunk of chunks) socket.write(chunk);
    let received = Buffer.alloc(0);
    const replies: Reply[] = [];
    while (replies.length < count) {
      const [data] = (await once(socket, 'data', { signal: AbortSignal.timeout(2_000) })) as [Buffer];
      received = Buffer.concat([received, data]);
      while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        replies.push(decode(received.subarray(2, 2 + received.readUInt16BE(0))));
        received = received.subarray(2 + received.readUInt16BE(0));
      }
    }
    return replies;
  } finally {
    socket.destroy();
  }
}

function framed(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

describe('test DNS server on the wire', () => {
  let dns: TestDnsServer;

  before(async () => {
    dns = await startDnsServer({
      records: {
        'Example.Test': [{ type: 'A', address: '127.0.0.1' }],
        'big.test': [{ type: 'TXT', data: BIG_TXT }],
      },
      timeout: ['slow.test'],
    });
  });
  after(() => dns.close());

  it('listens on loopback, UDP and TCP on one port', async () => {
    assert.equal(dns.server, `127.0.0.1:${dns.port}`);
    const udp = decode(await udpExchange(dns, query({ type: 'A', name: 'example.test' })));
    const [tcp] = await tcpExchange(dns, [framed(query({ type: 'A', name: 'example.test' }))], 1);
    for (const reply of [udp, tcp]) {
      assert.equal(reply?.rcode, 'NOERROR');
      assert.equal(reply?.flag_aa, true);
      assert.deepEqual(reply?.answers?.map(dataOf), ['127.0.0.1']);
    }
  });

  it('matches names case-insensitively and echoes the question as asked', async () => {
    const reply = decode(await udpExchange(dns, query({ type: 'A', name: 'EXAMPLE.test' })));
    assert.equal(reply.id, 4242);
    assert.equal(reply.flag_rd, true);
    assert.deepEqual(reply.questions, [{ type: 'A', name: 'EXAMPLE.test', class: 'IN' }]);
    assert.equal(reply.answers?.length, 1);
  });

  it('truncates a UDP answer over 512 octets to the question, with TC, and sends it whole over TCP', async () => {
    const q = query({ type: 'TXT', name: 'big.test' });
    const udp = decode(await udpExchange(dns, q));
    assert.equal(udp.flag_tc, true);
    assert.deepEqual(udp.answers, []);
    assert.equal(udp.questions?.[0]?.name, 'big.test');
    const [tcp] = await tcpExchange(dns, [framed(q)], 1);
    assert.equal(tcp?.flag_tc, false);
    const data = dataOf(tcp?.answers?.[0]) as Buffer[];
    assert.equal(Buffer.concat(data).toString(), BIG_TXT);
    assert.deepEqual(data.map((d) => d.length), [255, 255, 255, 135]);
  });

  it('sends up to 1232 octets over UDP to an EDNS client, with an OPT record back (RFC 6891)', async () => {
    const opt: OptAnswer = {
      type: 'OPT',
      name: '.',
      udpPayloadSize: 4096,
      extendedRcode: 0,
      ednsVersion: 0,
      flags: 0,
      flag_do: false,
      options: [],
    };
    const reply = decode(await udpExchange(dns, query({ type: 'TXT', name: 'big.test' }, { additionals: [opt] })));
    assert.equal(reply.flag_tc, false);
    assert.equal(reply.answers?.length, 1);
    assert.equal(reply.additionals?.[0]?.type, 'OPT');
  });

  it('reads TCP messages split at every byte boundary and several in one write (RFC 7766 §6.2.1)', async () => {
    const message = framed(query({ type: 'A', name: 'example.test' }));
    for (let cut = 1; cut < message.length; cut++) {
      const [reply] = await tcpExchange(dns, [message.subarray(0, cut), message.subarray(cut)], 1);
      assert.equal(reply?.answers?.length, 1, `split at ${cut}`);
    }
    const two = Buffer.concat([message, framed(query({ type: 'TXT', name: 'big.test' }))]);
    const replies = await tcpExchange(dns, [two], 2);
    assert.deepEqual(replies.map((r) => r.questions?.[0]?.type), ['A', 'TXT']);
  });

  it('answers FORMERR to a message it cannot parse, and NOTIMP to an opcode other than QUERY', async () => {
    const garbage = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([0x3f])]);
    const formerr = await udpExchange(dns, garbage);
    assert.equal(formerr.readUInt16BE(0), 0x1234);
    assert.equal(formerr.readUInt16BE(2) & 0x800f, 0x8001);
    const status = query({ type: 'A', name: 'example.test' }, { flags: 2 << 11 });
    assert.equal(decode(await udpExchange(dns, status)).rcode, 'NOTIMP');
  });

  it('logs every question with its transport', async () => {
    const before = dns.queries.length;
    await udpExchange(dns, query({ type: 'MX', name: 'Logged.test' }));
    assert.deepEqual(dns.queries.slice(before), [{ name: 'Logged.test', type: 'MX', transport: 'udp' }]);
  });

  it('refuses a record it could not send when it is set', () => {
    assert.throws(() => dns.set('bad.test', [{ type: 'A', address: '::1' }]), TypeError);
    assert.throws(() => dns.set('bad.test', [{ type: 'AAAA', address: '10.0.0.1' }]), TypeError);
    assert.throws(() => dns.set('bad.test', [{ type: 'TXT', data: ['y'.repeat(256)] }]), TypeError);
    assert.throws(() => dns.set('bad.test', [{ type: 'CNAME', target: `${'a'.repeat(64)}.test` }]), TypeError);
    assert.throws(() => dns.set('bad.test', [{ type: 'MX', priority: 70_000, exchange: 'mx.test' }]), TypeError);
    assert.throws(() => dns.set('bad..test', [{ type: 'A', address: '127.0.0.1' }]), TypeError);
    assert.doesNotThrow(() => dns.set('null-mx.test', [{ type: 'MX', priority: 0, exchange: '.' }]));
  });
});

describe('test DNS server lifecycle', () => {
  it('close() ends TCP connections left waiting by a timeout fault', async () => {
    const dns = await startDnsServer({ timeout: ['slow.test'] });
    const socket = net.connect(dns.port, dns.host);
    await once(socket, 'connect');
    socket.write(framed(query({ type: 'A', name: 'slow.test' })));
    while (dns.queries.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const closed = once(socket, 'close');
    await dns.close();
    await closed;
  });

  it('listens on loopback only', async () => {
    await assert.rejects(startDnsServer({ host: '0.0.0.0' }), /loopback only/);
  });

  it('may be closed twice', async () => {
    const dns = await startDnsServer();
    await Promise.all([dns.close(), dns.close()]);
    await dns.close();
  });

  it('gives each server its own port', async () => {
    const a = await startDnsServer();
    const b = await startDnsServer();
    try {
      assert.notEqual(a.port, b.port);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('characterStrings (RFC 1035 §3.3)', () => {
  it('splits into pieces of at most 255 octets that join back, never inside a UTF-8 sequence', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 800 }), (text) => {
        const pieces = characterStrings(text);
        assert.ok(pieces.every((p) => p.length <= 255));
        assert.equal(Buffer.concat(pieces).toString(), text);
        assert.equal(pieces.map((p) => p.toString()).join(''), text, 'each piece is whole UTF-8');
      }),
      { numRuns: 500 },
    );
  });

  it('keeps an empty text as one empty character-string', () => {
    assert.deepEqual(characterStrings(''), [Buffer.alloc(0)]);
  });
});
