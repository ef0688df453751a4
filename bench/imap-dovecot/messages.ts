/**
 * Deterministic test messages (RFC 5322, CRLF): about 2 KiB of plain text each. One message in SEARCH_EVERY has
 * SEARCH_WORD in its subject, so `UID SEARCH SUBJECT` has a known answer.
 */
export const SEARCH_WORD = 'zephyrine';
export const SEARCH_EVERY = 1000;

const WORDS = (
  'account agenda answer archive budget calendar contract delivery draft estimate follow invoice meeting minutes ' +
  'notes offer order payment planning project quarter receipt report request review schedule shipment summary ' +
  'ticket travel update weekly'
).split(' ');

/** A small deterministic PRNG (mulberry32), so both servers get byte-identical input. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function message(i: number, to = 'bench@example.test'): Buffer {
  const rnd = random(i + 1);
  const pick = () => WORDS[Math.floor(rnd() * WORDS.length)]!;
  const subject = `${pick()} ${pick()} ${i % SEARCH_EVERY === 7 ? SEARCH_WORD : pick()} #${i}`;
  const lines: string[] = [];
  for (let l = 0; l < 24; l++) lines.push(Array.from({ length: 11 }, pick).join(' '));
  const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString().replace('GMT', '+0000');
  return Buffer.from(
    [
      `From: Sender ${i % 97} <sender${i % 97}@bench.test>`,
      `To: <${to}>`,
      `Subject: ${subject}`,
      `Date: ${date}`,
      `Message-ID: <bench.${i}@bench.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      ...lines,
      '',
    ].join('\r\n'),
  );
}
