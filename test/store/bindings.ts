/** Bindings for tests: a complete one by default, with any field overridden. */
import type { Binding } from '../../src/store/index.js';

export const T0 = 1_700_000_000_000;

export function makeBinding(overrides: Partial<Binding> = {}): Binding {
  return {
    aor: 'sip:alice@example.com',
    contact: 'sip:alice@192.0.2.10:5060;transport=tcp',
    expiresAt: T0 + 3_600_000,
    callId: 'call-1@192.0.2.10',
    cseq: 1,
    path: [],
    source: { transport: 'tcp', host: '192.0.2.10', port: 5060 },
    updatedAt: T0,
    ...overrides,
  };
}

/** Every optional field set, with values a round trip could mangle (unicode, JSON-looking text). */
export function fullBinding(overrides: Partial<Binding> = {}): Binding {
  return makeBinding({
    contact: 'sip:alice@[2001:db8::1]:5061;transport=tls;ob',
    instanceId: '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>',
    regId: 2,
    q: 0.7,
    cseq: 4_294_967_295,
    path: ['<sip:edge1.example.com;lr;ob>', '<sip:"quoted"@edge2.example.com;lr>'],
    source: { transport: 'wss', host: '2001:db8::1', port: 443, connectionId: 'conn-7/ü' },
    userAgent: 'Sylk 6.0 «test» {"json":true}',
    push: {
      provider: 'apns',
      prid: '00fc13adff785122b4ad28809a3420982341241421348097878e577c991de8f0',
      param: 'ABCD1234.com.example.voip',
      extra: { 'pn-tok': 'voip123-bg456', 'pn-silent': '1', 'pn-device': 'd1' },
    },
    ...overrides,
  });
}
