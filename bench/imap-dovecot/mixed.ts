/**
 * (c) a mixed load shaped like imaptest's default profile: each of `clients` clients, on its own user, runs
 * sessions back to back for a fixed time: LOGIN, LIST (50%), STATUS, SELECT, FETCH of the headers of every message,
 * FETCH of one whole message, STORE flags (50%), COPY to Archive (5%), APPEND, STORE \Deleted on one message,
 * EXPUNGE, LOGOUT. Appending one and expunging one per session keeps the folder's size steady. The random choices
 * come from a seeded generator, so both servers get the same sequence.
 */
import { login, quote, type ImapConnection, type Endpoint } from './client.js';
import { message, random } from './messages.js';

export interface MixedResult {
  seconds: number;
  operations: number;
  latencies: Map<string, number[]>;
}

async function timed(lat: Map<string, number[]>, name: string, op: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  await op();
  (lat.get(name) ?? lat.set(name, []).get(name)!).push(performance.now() - t);
}

async function session(ep: Endpoint, user: string, password: string, rnd: () => number, lat: Map<string, number[]>, seq: number): Promise<void> {
  let c!: ImapConnection;
  await timed(lat, 'LOGIN', async () => (c = await login(ep, user, password)));
  if (rnd() < 0.5) await timed(lat, 'LIST', () => c.ok('LIST "" "*"'));
  await timed(lat, 'STATUS', () => c.ok('STATUS INBOX (MESSAGES UNSEEN UIDNEXT)'));
  let exists = 0;
  await timed(lat, 'SELECT', async () => {
    const r = await c.ok('SELECT INBOX', true);
    exists = Number(/^\* (\d+) EXISTS/m.exec(r.lines!.join('\n'))?.[1] ?? 0);
  });
  const any = () => 1 + Math.floor(rnd() * exists);
  await timed(lat, 'FETCH', () => c.ok('FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])'));
  await timed(lat, 'FETCH2', () => c.ok(`FETCH ${any()} (BODY.PEEK[])`));
  if (rnd() < 0.5) await timed(lat, 'STORE', () => c.ok(`STORE ${any()} ${rnd() < 0.5 ? '+' : '-'}FLAGS (\\Seen \\Flagged)`));
  if (rnd() < 0.05) await timed(lat, 'COPY', () => c.ok(`COPY ${any()} Archive`));
  await timed(lat, 'APPEND', () => c.append('INBOX', message(1_000_000 + seq)));
  await timed(lat, 'STORE', () => c.ok(`STORE ${any()} +FLAGS.SILENT (\\Deleted)`));
  await timed(lat, 'EXPUNGE', () => c.ok('EXPUNGE'));
  await timed(lat, 'LOGOUT', () => c.logout());
}

/**
 * Runs the sessions for `seconds`. Closed loop by default (each client starts its next session when the last one
 * ends); with `sessionsPerSecond`, each client starts one every 1/rate seconds instead (right away when the last
 * one ran over), so both servers get the same offered load and their latencies can be compared at it.
 */
export async function mixedRun(ep: Endpoint, users: string[], password: string, seconds: number, seed: number, sessionsPerSecond?: number): Promise<MixedResult> {
  const latencies = new Map<string, number[]>();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let seq = seed * 1_000_000;
  const interval = sessionsPerSecond === undefined ? 0 : 1000 / sessionsPerSecond;
  await Promise.all(
    users.map(async (u, i) => {
      const rnd = random(seed * 1000 + i);
      // Paced clients start spread over one interval, not all at once; one that runs late starts its next session
      // at once, without catching up on the ones it missed.
      let next = t0 + (interval * i) / users.length;
      while (performance.now() < until) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (performance.now() >= until) break;
        next = Math.max(next + interval, performance.now());
        await session(ep, u, password, rnd, latencies, seq++);
      }
    }),
  );
  const operations = [...latencies.values()].reduce((n, l) => n + l.length, 0);
  return { seconds: (performance.now() - t0) / 1000, operations, latencies };
}

/** Prepares the mixed-load users: `count` messages in INBOX and an Archive folder (CREATE may say it exists). */
export async function prepareMixed(ep: Endpoint, user: string, password: string, count: number): Promise<void> {
  const c = await login(ep, user, password);
  await c.send(`CREATE ${quote('Archive')}`);
  const lanes = Array.from({ length: 32 }, async (_, lane) => {
    for (let i = lane; i < count; i += 32) await c.append('INBOX', message(i));
  });
  await Promise.all(lanes);
  await c.logout();
}
