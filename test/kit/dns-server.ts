/**
 * A small DNS server for tests: it answers from an in-memory zone on loopback, over UDP and TCP on one port, so
 * the real resolver (src/dns/node-resolver.ts) is tested over real sockets and no test ever asks the machine's
 * resolver.
 *
 * RFC 1035 §4.1.1 (header, RCODEs), §4.2.1 (UDP: 512 octets, TC), §4.2.2 (TCP: two-octet length prefix, several
 * queries per connection), §3.3.14 (TXT: character-strings of at most 255 octets); RFC 2308 §2.1–2.2 (NXDOMAIN
 * vs NODATA); RFC 6604 §2.1 (the RCODE of a CNAME chain is that of its last name); RFC 6891 §6.2.5 (an EDNS
 * client may take more than 512 octets over UDP); RFC 1035 §3.5 / RFC 3596 §2.5 (PTR under in-addr.arpa /
 * ip6.arpa, see `reverseName`).
 *
 * Records have a TTL of 0 unless given one, so no resolver caches across `set()` and `remove()`.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet } from 'dns-packet';

export { reverseName } from '../../src/dns/reverse-name.js';

/** One record of the test zone. `ttl` defaults to 0. */
export type ZoneRecord =
  | { type: 'A'; address: string; ttl?: number }
  | { type: 'AAAA'; address: string; ttl?: number }
  | { type: 'MX'; priority: number; exchange: string; ttl?: number }
  /** A string is split into 255-octet character-strings; an array gives the character-strings as they are. */
  | { type: 'TXT'; data: string | readonly string[]; ttl?: number }
  | { type: 'CNAME'; target: string; ttl?: number }
  | { type: 'PTR'; target: string; ttl?: number }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string; ttl?: number };

/** How the server misbehaves for a name: SERVFAIL, REFUSED, or no answer at all. */
export type DnsFault = 'servfail' | 'refused' | 'timeout';

export interface DnsServerOptions {
  /** Zone contents by owner name (case-insensitive, trailing dot optional). */
  records?: Readonly<Record<string, readonly ZoneRecord[]>>;
  servfail?: readonly string[];
  refused?: readonly string[];
  timeout?: readonly string[];
  /** Loopback address to listen on: `127.0.0.1` (default) or `::1`. */
  host?: string;
  /** 0 (default) picks a free port, the same one for UDP and TCP. */
  port?: number;
}

/** A question the server received, as the client wrote it. */
export interface LoggedQuery {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
}

export interface TestDnsServer {
  /** The address for `[dns] servers`: `127.0.0.1:PORT` or `[::1]:PORT`. */
  readonly server: string;
  readonly host: string;
  readonly port: number;
  /** Every question received, in order, as the client wrote it. */
  readonly queries: readonly LoggedQuery[];
  /** Replaces the records of a name (an empty list keeps the name: every query gets NODATA). */
  set(name: string, records: readonly ZoneRecord[]): void;
  /** Removes a name: queries get NXDOMAIN. */
  remove(name: string): void;
  /** Makes a name misbehave, or behave again with `undefined`. */
  setFault(name: string, fault: DnsFault | undefined): void;
  /** Stops listening and ends open TCP connections; calling it again is harmless. */
  close(): Promise<void>;
}

/** RFC 1035 §4.1.1 RCODEs. */
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** RFC 1035 §4.2.1: the largest UDP message without EDNS. */
const UDP_PLAIN_MAX = 512;
/** The most we answer over UDP even if an EDNS client offers more (the DNS flag day 2020 figure). */
const UDP_EDNS_MAX = 1232;
/** A CNAME chain longer than this is treated as a loop (SERVFAIL). */
const CNAME_CHAIN_MAX = 8;
/** Where the server may listen: tests never open a port to the network. */
const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/;
/** Attempts at finding a port free for both UDP and TCP. */
const BIND_ATTEMPTS = 20;

function canonical(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Starts the server; close it with `close()` when the test ends. */
export async function startDnsServer(opts: DnsServerOptions = {}): Promise<TestDnsServer> {
  const zone = new Map<string, readonly ZoneRecord[]>();
  const faults = new Map<string, DnsFault>();
  const queries: LoggedQuery[] = [];
  const set = (name: string, records: readonly ZoneRecord[]): void => {
    records.forEach((r) => checkRecord(name, r));
    zone.set(canonical(name), [...records]);
  };
  for (const [name, records] of Object.entries(opts.records ?? {})) set(name, records);
  const faulty = [['servfail', opts.servfail], ['refused', opts.refused], ['timeout', opts.timeout]] as const;
  for (const [fault, names] of faulty) for (const name of names ?? []) faults.set(canonical(name), fault);

  /** The reply to one message, or undefined for no reply. */
  const reply = (message: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined => {
    let query: DecodedPacket;
    try {
      query = packet.decode(message);
    } catch {
      return formatError(message);
    }
    if (query.type !== 'query') return undefined;
    for (const q of query.questions ?? []) queries.push({ name: q.name, type: q.type, transport });
    const response = answer(query, zone, faults);
    if (response === undefined) return undefined;
    try {
      return encodeResponse(query, response, transport);
    } catch {
      // set() checks records, so this is a bug in the kit: fail the query rather than crash the test process
      return encodeResponse(query, { rcode: RCODE.SERVFAIL, answers: [] }, transport);
    }
  };

  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host)) throw new TypeError(`the test DNS server listens on loopback only, not ${host}`);
  const { udp, tcp, port } = await bindBoth(host, opts.port ?? 0, reply);
  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await tcp.close();
  };
  return {
    server: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`,
    host,
    port,
    queries,
    set,
    remove: (name) => {
      zone.delete(canonical(name));
    },
    setFault: (name, fault) => {
      if (fault === undefined) faults.delete(canonical(name));
      else faults.set(canonical(name), fault);
    },
    close: () => (closed ??= close()),
  };
}

/** Throws on a record the server could not send, so the test that wrote it fails at `set`, not in a socket. */
function checkRecord(name: string, r: ZoneRecord): void {
  const bad = (what: string): never => {
    throw new TypeError(`test zone ${name}: ${r.type} record: ${what}`);
  };
  const names = [name, ...('exchange' in r ? [r.exchange] : []), ...('target' in r ? [r.target] : [])];
  for (const n of names) if (!isDomainName(n)) bad(`${JSON.stringify(n)} is not a domain name (RFC 1035 §2.3.4)`);
  const within = (n: number, max: number): boolean => Number.isInteger(n) && n >= 0 && n <= max;
  if (!within(r.ttl ?? 0, 0x7fffffff)) bad('the TTL is not 0 to 2^31 - 1 (RFC 2181 §8)');
  const shorts = [...('priority' in r ? [r.priority] : []), ...('weight' in r ? [r.weight, r.port] : [])];
  if (!shorts.every((n) => within(n, 0xffff))) bad('a priority, weight or port is not 0 to 65535');
  if (r.type === 'A' && !net.isIPv4(r.address)) bad(`${r.address} is not an IPv4 address`);
  if (r.type === 'AAAA' && !net.isIPv6(r.address)) bad(`${r.address} is not an IPv6 address`);
  if (r.type === 'TXT' && typeof r.data !== 'string' && r.data.some((s) => Buffer.byteLength(s) > 255))
    bad('a character-string is longer than 255 octets (RFC 1035 §3.3)');
}

/** RFC 1035 §2.3.4: labels of 1–63 octets, 255 octets in all on the wire; "." (or "") is the root. */
function isDomainName(name: string): boolean {
  const labels = canonical(name) === '' ? [] : canonical(name).split('.');
  const octets = labels.reduce((sum, label) => sum + 1 + Buffer.byteLength(label), 1);
  return octets <= 255 && labels.every((label) => label.length > 0 && Buffer.byteLength(label) <= 63);
}

/** What a response says: its RCODE and answer records. */
interface ResponseParts {
  rcode: number;
  answers: Answer[];
}

/** The response to a query, or undefined when a `timeout` fault says not to answer. */
function answer(
  query: DecodedPacket,
  zone: ReadonlyMap<string, readonly ZoneRecord[]>,
  faults: ReadonlyMap<string, DnsFault>,
): ResponseParts | undefined {
  const opcode = ((query.flags ?? 0) >> 11) & 0xf;
  if (opcode !== 0) return { rcode: RCODE.NOTIMP, answers: [] };
  const question = query.questions?.length === 1 ? query.questions[0] : undefined;
  if (question === undefined) return { rcode: RCODE.FORMERR, answers: [] };
  switch (faults.get(canonical(question.name))) {
    case 'timeout':
      return undefined;
    case 'servfail':
      return { rcode: RCODE.SERVFAIL, answers: [] };
    case 'refused':
      return { rcode: RCODE.REFUSED, answers: [] };
    case undefined:
      return lookup(question.name, question.type, zone);
  }
}

/** Answers from the zone, following CNAMEs within it (RFC 1034 §4.3.2 step 3a, RFC 6604 §2.1). */
function lookup(qname: string, qtype: string, zone: ReadonlyMap<string, readonly ZoneRecord[]>): ResponseParts {
  const answers: Answer[] = [];
  let name = qname;
  for (let hop = 0; hop <= CNAME_CHAIN_MAX; hop++) {
    const records = zone.get(canonical(name));
    if (records === undefined) return { rcode: RCODE.NXDOMAIN, answers };
    const matching = records.filter((r) => r.type === qtype);
    if (matching.length > 0) {
      answers.push(...matching.flatMap((r) => toAnswer(name, r)));
      return { rcode: RCODE.NOERROR, answers };
    }
    const cname = records.find((r): r is Extract<ZoneRecord, { type: 'CNAME' }> => r.type === 'CNAME');
    if (cname === undefined) return { rcode: RCODE.NOERROR, answers }; // NODATA
    answers.push(...toAnswer(name, cname));
    name = cname.target;
  }
  return { rcode: RCODE.SERVFAIL, answers: [] };
}

function toAnswer(name: string, r: ZoneRecord): Answer[] {
  const ttl = r.ttl ?? 0;
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return [{ type: r.type, name, ttl, data: r.address }];
    case 'CNAME':
    case 'PTR':
      return [{ type: r.type, name, ttl, data: r.target }];
    case 'MX':
      return [{ type: 'MX', name, ttl, data: { preference: r.priority, exchange: r.exchange } }];
    case 'SRV':
      const { priority, weight, port, target } = r;
      return [{ type: 'SRV', name, ttl, data: { priority, weight, port, target } }];
    case 'TXT':
      const data = typeof r.data === 'string' ? characterStrings(r.data) : r.data.map((s) => Buffer.from(s));
      return [{ type: 'TXT', name, ttl, data }];
  }
}

/** Splits text into character-strings of at most 255 octets, never inside a UTF-8 sequence (RFC 1035 §3.3). */
export function characterStrings(text: string): Buffer[] {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + 255, bytes.length);
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--; // continuation octet
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  return chunks.length > 0 ? chunks : [Buffer.alloc(0)];
}

/** The wire response; over UDP cut to the header and question with TC when it does not fit (RFC 1035 §4.2.1). */
function encodeResponse(query: DecodedPacket, parts: ResponseParts, transport: 'udp' | 'tcp'): Buffer {
  const opt = query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  const ourOpt: OptAnswer = {
    type: 'OPT',
    name: '.',
    udpPayloadSize: UDP_EDNS_MAX,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  };
  const response: Packet = {
    type: 'response',
    id: query.id ?? 0,
    flags: packet.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & packet.RECURSION_DESIRED) | parts.rcode,
    questions: query.questions ?? [],
    answers: parts.answers,
    additionals: opt ? [ourOpt] : [],
  };
  const full = packet.encode(response);
  if (transport === 'tcp') return full;
  const limit = opt ? Math.max(UDP_PLAIN_MAX, Math.min(opt.udpPayloadSize, UDP_EDNS_MAX)) : UDP_PLAIN_MAX;
  if (full.length <= limit) return full;
  return packet.encode({ ...response, flags: (response.flags ?? 0) | packet.TRUNCATED_RESPONSE, answers: [] });
}

/** FORMERR for a message that could not be parsed, if it has at least an ID to answer (RFC 1035 §4.1.1). */
function formatError(message: Buffer): Buffer | undefined {
  if (message.length < 12 || (message[2] ?? 0) & 0x80) return undefined; // too short, or itself a response
  const reply = Buffer.alloc(12);
  message.copy(reply, 0, 0, 2);
  reply.writeUInt16BE(0x8000 | (message.readUInt16BE(2) & 0x7900) | RCODE.FORMERR, 2); // QR, opcode, RD
  return reply;
}

type Reply = (message: Buffer, transport: 'udp' | 'tcp') => Buffer | undefined;

interface Bound {
  udp: dgram.Socket;
  tcp: { close(): Promise<void> };
  port: number;
}

/** Binds UDP (port 0 picks one), then TCP on the same port; retries when TCP finds that port taken. */
async function bindBoth(host: string, port: number, reply: Reply): Promise<Bound> {
  for (let attempt = 1; ; attempt++) {
    const socket = await bindUdp(host, port, reply);
    const udpPort = socket.address().port;
    try {
      return { udp: socket, tcp: await listenTcp(host, udpPort, reply), port: udpPort };
    } catch (e) {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      const taken = (e as { code?: unknown }).code === 'EADDRINUSE';
      if (!taken || port !== 0 || attempt >= BIND_ATTEMPTS) throw e;
    }
  }
}

function bindUdp(host: string, port: number, reply: Reply): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  socket.on('message', (message, peer) => {
    const out = reply(message, 'udp');
    if (out) socket.send(out, peer.port, peer.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      socket.on('error', () => {}); // a send to a client that went away; nothing to do
      resolve(socket);
    });
  });
}

function listenTcp(host: string, port: number, reply: Reply): Promise<{ close(): Promise<void> }> {
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    serveTcp(socket, reply);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const c of connections) c.destroy(); // including those left waiting by a `timeout` fault
            server.close(() => done());
          }),
      });
    });
  });
}

/** RFC 1035 §4.2.2 (and RFC 7766 §6.2.1): each message behind a two-octet length, any number per connection. */
function serveTcp(socket: net.Socket, reply: Reply): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
      pending = pending.subarray(2 + message.length);
      const out = reply(message, 'tcp');
      if (out) {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(out.length);
        socket.write(Buffer.concat([length, out]));
      }
    }
  });
}
