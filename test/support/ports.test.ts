/** The port reservations of ports.ts: what keeps two suites side by side from being handed one port. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freePorts, PORT_RESERVATIONS, reservePort } from './ports.js';

/** A port number that no test draws (below freePort's range), so that these tests own its reservation. */
const PORT = 10_999;
const link = join(PORT_RESERVATIONS, String(PORT));

/** The pid of a process that has ended. */
function endedPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('port reservations', () => {
  test('a port held by a live process is refused; one held by an ended process is taken over', (t) => {
    mkdirSync(PORT_RESERVATIONS, { recursive: true });
    rmSync(link, { force: true });
    t.after(() => {
      rmSync(link, { force: true });
    });
    // The test runner, which outlives this test: a live holder other than this process.
    symlinkSync(String(process.ppid), link);
    assert.equal(reservePort(PORT), false, 'held by a live process');
    assert.equal(readlinkSync(link), String(process.ppid), 'its reservation is left alone');
    rmSync(link);
    symlinkSync(String(endedPid()), link);
    assert.equal(reservePort(PORT), true, 'its holder has ended');
    assert.equal(readlinkSync(link), String(process.pid));
    assert.equal(reservePort(PORT), false, 'not handed out twice by one process');
  });

  test('each port freePorts hands out is reserved for this process', async () => {
    for (const port of await freePorts(5)) {
      const reservation = join(PORT_RESERVATIONS, String(port));
      assert.ok(lstatSync(reservation).isSymbolicLink());
      assert.equal(readlinkSync(reservation), String(process.pid));
    }
  });
});
