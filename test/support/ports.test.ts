/**
 * The port reservations of ports.ts (what keeps two suites side by side from being handed one port), and its
 * check that a peer has bound its port.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket, Socket } from 'node:dgram';
import { lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { once } from 'node:events';
import { connect, createServer, Server } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freePorts, LOOPBACK, PORT_RESERVATIONS, portBound, reservePort } from './ports.js';

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

describe('portBound', () => {
  test('sees a bound UDP socket and a listening TCP socket, each on its own transport only', async (t) => {
    const [udpPort = 0, tcpPort = 0] = await freePorts(2);
    assert.equal(portBound(udpPort, 'udp'), false, 'nothing is bound yet');
    const udp = await bindUdp(udpPort);
    assert.equal(portBound(udpPort, 'udp'), true, 'the UDP socket');
    assert.equal(portBound(udpPort, 'tcp'), false, 'no TCP listener on the UDP port');
    await new Promise<void>((resolve) => udp.close(resolve));
    assert.equal(portBound(udpPort, 'udp'), false, 'closed');

    const tcp = createServer();
    t.after(() => tcp.close());
    await new Promise<void>((resolve) => tcp.listen(tcpPort, LOOPBACK, resolve));
    assert.equal(portBound(tcpPort, 'tcp'), true, 'the listening TCP socket');
    assert.equal(portBound(tcpPort, 'udp'), false, 'no UDP socket on the TCP port');
    const client = connect(tcpPort, LOOPBACK);
    t.after(() => client.destroy());
    await once(client, 'connect');
    assert.equal(portBound(client.localPort ?? 0, 'tcp'), false, 'a connection is not a listener');
  });

  test('checking a port binds nothing: a check that did would hold the port, and a peer binding it then fails', async (t) => {
    const [port = 0] = await freePorts(1);
    // Every bind of a Node program goes through these two (the dgram socket's and the TCP server's).
    const binds = t.mock.method(Socket.prototype, 'bind');
    const listens = t.mock.method(Server.prototype, 'listen');
    // Awaited, so that a check that bound the port asynchronously would have done so by the counts below.
    assert.equal(await Promise.resolve(portBound(port, 'udp')), false);
    assert.equal(await Promise.resolve(portBound(port, 'tcp')), false);
    assert.equal(binds.mock.callCount(), 0, 'no UDP socket was bound');
    assert.equal(listens.mock.callCount(), 0, 'no TCP socket listened');
  });
});

/** A UDP socket bound to `port` of 127.0.0.1; rejects with the bind's error (EADDRINUSE). */
function bindUdp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, LOOPBACK, () => {
      resolve(socket);
    });
  });
}
