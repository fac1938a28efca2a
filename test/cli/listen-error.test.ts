/** The message for a listener that cannot start: which port, what it is, and how to move it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenFailure } from '../../src/cli/listen-error.js';
import { resolveSettings } from '../../src/config/resolve-settings.js';

function settings() {
  const resolved = resolveSettings({ commandLine: { sipPort: 5070 }, environment: {}, files: [] });
  assert.ok(resolved.ok);
  return resolved.value.values;
}

function systemError(code: string, port: number, address = '127.0.0.1'): Error {
  return Object.assign(new Error(`listen ${code} ${address}:${String(port)}`), { code, port, address });
}

test('a taken port, also when wrapped as a cause (the relay wraps it)', () => {
  const wrapped = new Error('Cannot listen', { cause: systemError('EADDRINUSE', 2855) });
  const message = listenFailure(wrapped, settings()) ?? '';
  assert.match(message, /^cannot listen on 127\.0\.0\.1:2855: the port is already in use/);
  assert.match(
    message,
    /It is the MSRP relay: move it with --msrp-port \(key msrp_port in \[Relay\], or MISSIVE_MSRP_PORT\)\./,
  );
  assert.match(
    message,
    /The ports of this start: --metrics-port -1, --sip-port 5070, --sips-port 5061, --ws-port 10888, --admin-port -1, --msrp-port 2855\./,
  );
});

test('a port below 1024 without the right, and an address not on this machine', () => {
  assert.match(
    listenFailure(systemError('EACCES', 5070), settings()) ?? '',
    /permission denied .*CAP_NET_BIND_SERVICE[\s\S]*--sip-port/,
  );
  assert.match(
    listenFailure(systemError('EADDRNOTAVAIL', 5070, '192.0.2.1'), settings()) ?? '',
    /cannot listen on 192\.0\.2\.1:5070: the address is not one of this machine; choose the address with --host/,
  );
});

test('any other error is not a listen failure', () => {
  assert.equal(listenFailure(new Error('disk full'), settings()), undefined);
  assert.equal(listenFailure('a string', settings()), undefined);
});
