/** Logs are JSON, one child logger per connection, and never carry a password or secret even if code logs one. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/logger.js';

it('writes JSON lines and redacts passwords and secrets', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().trim().split('\n'));
      cb();
    },
  });
  const log = createLogger('info', sink as never).child({ conn: 7, role: 'submission' });
  log.info({ password: 'hunter2 hunter2', user: { password: 'p2', name: 'a' }, secret: 's3', authorization: 'Basic x' }, 'auth.attempt');
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(entry.msg, 'auth.attempt');
  assert.equal(entry.conn, 7);
  assert.equal(entry.role, 'submission');
  assert.equal(typeof entry.time, 'string');
  assert.doesNotMatch(lines.join('\n'), /hunter2|"p2"|s3|Basic x/);
});
