/**
 * deploy/outpost.service checked by systemd itself (`systemd-analyze verify`: every key known, ExecStart
 * executable), with the paths pointed at this checkout and this Node. systemd-analyze is a peer (scripts/peers.sh):
 * the unit is checked without systemd running.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UNIT = readFileSync(join(ROOT, 'deploy/outpost.service'), 'utf8');
const analyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim();

function verify(text: string): { code: number; output: string } {
  const dir = join(mkdtempSync(join(tmpdir(), 'outpost-unit-')), 'u');
  mkdirSync(dir);
  const file = join(dir, 'outpost.service');
  writeFileSync(file, text.replace(/\/opt\/outpost\//g, ROOT.replace(/\/?$/, '/')).replace('/usr/bin/node', process.execPath));
  const r = spawnSync(analyze, ['verify', file], { encoding: 'utf8' });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('systemd unit', () => {
  it('binds privileged ports through one capability, never as root, hardened', () => {
    for (const line of [
      'User=outpost',
      'AmbientCapabilities=CAP_NET_BIND_SERVICE',
      'CapabilityBoundingSet=CAP_NET_BIND_SERVICE',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/outpost',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'KillSignal=SIGTERM',
    ])
      assert.ok(UNIT.split('\n').includes(line), line);
  });

  it('passes systemd-analyze verify, which does catch a mistake', () => {
    assert.ok(analyze, 'systemd-analyze is missing: install the systemd package (scripts/peers.sh install)');
    const ok = verify(UNIT);
    assert.equal(ok.code, 0, ok.output);
    assert.equal(ok.output, '', 'no warnings');
    const typo = verify(UNIT.replace('ProtectHome=yes', 'ProtectHomee=yes'));
    assert.match(typo.output, /Unknown key 'ProtectHomee'/);
  });
});
