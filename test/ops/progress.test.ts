/** Progress output: a bar redrawn in place on a terminal (at most ten times a second), plain lines otherwise. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from '../../src/ops/progress.js';
import { opsLimits } from '../../src/lib/limits.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, sink: { isTTY, write: (t: string) => void writes.push(t) } };
}

describe('progress', () => {
  it('redraws one line on a terminal, throttled by time, and ends with a newline', () => {
    let now = 0;
    const { writes, sink: s } = sink(true);
    const p = new Progress(s, 'imported', 4, () => now);
    now = 50;
    p.step(); // 50 ms after start: not yet
    now = 60;
    p.step(true); // still within the first 100 ms: not drawn
    now = 200;
    p.step(); // drawn
    now = 210;
    p.step(); // the last one is always drawn
    p.finish();
    assert.ok(writes.every((w) => w.startsWith('\r[') || w === '\n'));
    assert.equal(writes.filter((w) => w.startsWith('\r')).length, 3, 'two steps drawn of four, plus the final draw');
    assert.match(writes.at(-2)!, /^\r\[#{30}\] imported 4\/4 messages \(1 already there\), 19\/s\x1b\[K$/);
    assert.equal(writes.at(-1), '\n');
    assert.equal(p.done, 3);
    assert.equal(p.skipped, 1);
  });

  it('prints a plain line every so many messages otherwise', () => {
    const { writes, sink: s } = sink(false);
    const n = opsLimits.progressEveryMessages;
    const p = new Progress(s, 'exported', n * 2 + 1, () => 1000);
    for (let i = 0; i < n * 2 + 1; i++) p.step();
    p.finish();
    assert.deepEqual(writes.map((w) => w.replace(/, \d+\/s/, '')), [`exported ${n}/${n * 2 + 1} messages\n`, `exported ${n * 2}/${n * 2 + 1} messages\n`]);
  });
});
