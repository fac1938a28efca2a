/** The registrar (RFC 3261 §10.3, RFC 5626 §6, RFC 3327, RFC 8599) on a real SQLite store. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { getTo } from '../../src/sip/headers/name-addr.js';
import { Locations, normalizeAor } from '../../src/registrar/index.js';
import { type LocationStore, StoreError } from '../../src/store/index.js';
import { challengesOf } from '../sip/auth/digest-client.js';
import { contactsOf, Harness, SOURCE, T0 } from './harness.js';

const PHONE = '<sip:alice@192.0.2.10:5062>';
const LAPTOP = '<sip:alice@198.51.100.20:5070;transport=tcp>';
const AOR = 'alice@example.com';

describe('Registrar', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open();
  });
  afterEach(async () => {
    await h.close();
  });

  const stored = () => h.store.locations.lookup(AOR, h.clock.now());

  it('challenges a REGISTER without credentials with the To domain as realm, and stores nothing', async () => {
    const response = await h.register({ contacts: [PHONE], auth: false });
    assert.equal(response.status, 401);
    assert.equal(challengesOf(response)[0]?.realm, 'example.com');
    assert.ok(getTo(response.headers)?.tag !== undefined);
    assert.equal((await stored()).length, 0);
  });

  it('registers a contact: 200 with the binding, its expires and a Date; the binding has the source', async () => {
    const response = await h.register({ contacts: [PHONE], callId: 'c1', cseq: 5 });
    assert.equal(response.status, 200);
    assert.deepEqual(
      contactsOf(response).map(({ uri, expires }) => ({ uri, expires })),
      [{ uri: 'sip:alice@192.0.2.10:5062', expires: '3600' }],
    );
    assert.equal(response.headers.get('Date'), new Date(T0).toUTCString());
    const [binding] = await stored();
    assert.deepEqual(binding, {
      aor: AOR,
      contact: 'sip:alice@192.0.2.10:5062',
      expiresAt: T0 + 3_600_000,
      callId: 'c1',
      cseq: 5,
      path: [],
      source: { transport: 'udp', host: SOURCE.host, port: SOURCE.port },
      userAgent: 'TestPhone/1.0',
      updatedAt: T0,
    });
  });

  it('keeps the stream connection a REGISTER came on', async () => {
    const source = { ...SOURCE, transport: 'tcp', connectionId: 'conn-42' } as const;
    assert.equal((await h.register({ contacts: [PHONE], source })).status, 200);
    assert.deepEqual((await stored())[0]?.source, {
      transport: 'tcp',
      host: SOURCE.host,
      port: 5062,
      connectionId: 'conn-42',
    });
  });

  it('takes the expiry from the Contact, else the Expires header, else the default; caps it at the maximum', async () => {
    const response = await h.register({
      contacts: [`${PHONE};expires=120`, LAPTOP, '<sip:alice@203.0.113.5>;expires=99999'],
      expires: 600,
    });
    assert.equal(response.status, 200);
    const expires = new Map(contactsOf(response).map((c) => [c.uri, c.expires]));
    assert.equal(expires.get('sip:alice@192.0.2.10:5062'), '120');
    assert.equal(expires.get('sip:alice@198.51.100.20:5070;transport=tcp'), '600');
    assert.equal(expires.get('sip:alice@203.0.113.5'), '3600');
  });

  it('treats an invalid expiry as absent (RFC 4475 §3.1.2.4)', async () => {
    const response = await h.register({ contacts: [`${PHONE};expires=4294967296`], expires: 'soon' });
    assert.equal(contactsOf(response)[0]?.expires, '3600');
  });

  it('lists every device of the AOR, each with its own time left', async () => {
    await h.register({ contacts: [PHONE], callId: 'phone' });
    h.clock.advance(600_000);
    const response = await h.register({ contacts: [LAPTOP], callId: 'laptop' });
    assert.deepEqual(
      contactsOf(response).map(({ uri, expires }) => [uri, expires]),
      [
        ['sip:alice@198.51.100.20:5070;transport=tcp', '3600'],
        ['sip:alice@192.0.2.10:5062', '3000'],
      ],
    );
  });

  it('refreshes a binding in place (same Call-ID, higher CSeq)', async () => {
    await h.register({ contacts: [PHONE], callId: 'c1', cseq: 1 });
    h.clock.advance(1_000_000);
    const response = await h.register({ contacts: [PHONE], callId: 'c1', cseq: 2 });
    assert.deepEqual(
      contactsOf(response).map((c) => c.expires),
      ['3600'],
    );
    assert.equal((await stored())[0]?.cseq, 2);
  });

  it('treats equivalent Contact URIs (RFC 3261 §19.1.4) as one binding', async () => {
    await h.register({ contacts: ['<sip:alice@Phone.Example.com:5062;transport=TCP>'], callId: 'c1' });
    const response = await h.register({
      contacts: ['<sip:alice@phone.example.com:5062;transport=tcp>'],
      callId: 'c2',
    });
    assert.equal(contactsOf(response).length, 1);
    assert.equal(await h.store.locations.count(), 1);
  });

  it('removes a binding with expires=0 (from another Call-ID too) and lists the rest', async () => {
    await h.register({ contacts: [PHONE], callId: 'phone' });
    await h.register({ contacts: [LAPTOP], callId: 'laptop' });
    const response = await h.register({ contacts: [PHONE], expires: 0, callId: 'other' });
    assert.equal(response.status, 200);
    assert.deepEqual(
      contactsOf(response).map((c) => c.uri),
      ['sip:alice@198.51.100.20:5070;transport=tcp'],
    );
  });

  it('removes every binding with Contact: * and Expires: 0', async () => {
    await h.register({ contacts: [PHONE], callId: 'phone' });
    await h.register({ contacts: [LAPTOP], callId: 'laptop' });
    const response = await h.register({ contacts: ['*'], expires: 0, callId: 'phone' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.count('Contact'), 0);
    assert.equal((await stored()).length, 0);
  });

  it('refuses * without Expires: 0, or with other contacts (400)', async () => {
    await h.register({ contacts: [PHONE] });
    const noExpires = await h.register({ contacts: ['*'] });
    assert.equal(noExpires.status, 400);
    assert.equal(noExpires.reason, 'Contact * Requires Expires: 0');
    assert.equal((await h.register({ contacts: ['*'], expires: 60 })).status, 400);
    const mixed = await h.register({ contacts: ['*', PHONE], expires: 0 });
    assert.equal(mixed.status, 400);
    assert.equal(mixed.reason, 'Contact * Must Be The Only Contact');
    assert.equal((await stored()).length, 1);
  });

  it('answers 423 with Min-Expires below the minimum, and writes nothing', async () => {
    const response = await h.register({ contacts: [LAPTOP, `${PHONE};expires=30`] });
    assert.equal(response.status, 423);
    assert.equal(response.headers.get('Min-Expires'), '60');
    assert.equal((await stored()).length, 0);
  });

  it('answers 420 listing the unsupported option tags of Require and Proxy-Require', async () => {
    const response = await h.register({
      contacts: [PHONE],
      headers: ['Require: path, foo', 'Proxy-Require: bar'],
      auth: false,
    });
    assert.equal(response.status, 420);
    assert.equal(response.headers.get('Unsupported'), 'foo, bar');
    assert.equal((await h.register({ contacts: [PHONE], headers: ['Require: path'] })).status, 200);
  });

  it("answers 403 when the credentials are not the To AOR's", async () => {
    const response = await h.register({ user: 'alice', toUser: 'bob', contacts: [PHONE] });
    assert.equal(response.status, 403);
    assert.equal((await h.store.locations.lookup('bob@example.com', h.clock.now())).length, 0);
  });

  it('answers 404 for a domain it does not serve, in the Request-URI or in To', async () => {
    const uri = await h.register({ uri: 'sip:elsewhere.example', contacts: [PHONE], auth: false });
    assert.equal(uri.status, 404);
    assert.equal(uri.reason, 'Domain Not Served');
    assert.equal(
      (await h.register({ toDomain: 'elsewhere.example', contacts: [PHONE], auth: false })).status,
      404,
    );
  });

  it('refuses an old or repeated CSeq of the same Call-ID with 500, and keeps the binding', async () => {
    await h.register({ contacts: [PHONE], callId: 'c1', cseq: 10 });
    const older = await h.register({ contacts: [`${PHONE};expires=0`], callId: 'c1', cseq: 9 });
    assert.equal(older.status, 500);
    const same = await h.register({ contacts: [PHONE], callId: 'c1', cseq: 10 });
    assert.equal(same.status, 500);
    assert.equal((await h.register({ contacts: ['*'], expires: 0, callId: 'c1', cseq: 10 })).status, 500);
    assert.equal((await stored())[0]?.cseq, 10);
    // Another Call-ID may do anything, whatever its CSeq.
    assert.equal((await h.register({ contacts: [`${PHONE};expires=0`], callId: 'c2', cseq: 1 })).status, 200);
    assert.equal((await stored()).length, 0);
  });

  it('replaces the binding of the same +sip.instance and reg-id (RFC 5626), and says so', async () => {
    const instance = '+sip.instance="<urn:uuid:00000000-0000-1000-8000-000a95a0e128>";reg-id=1';
    await h.register({ contacts: [`<sip:alice@192.0.2.10:5062;ob>;${instance}`], callId: 'boot1' });
    const response = await h.register({
      contacts: [`<sip:alice@192.0.2.99:6000;ob>;${instance}`],
      callId: 'boot2',
      headers: ['Supported: path, outbound'],
    });
    assert.equal(response.status, 200);
    assert.equal(contactsOf(response).length, 1);
    const contact = contactsOf(response)[0]!;
    assert.equal(contact.uri, 'sip:alice@192.0.2.99:6000;ob');
    assert.equal(
      contact.contact.params.get('+sip.instance'),
      '"<urn:uuid:00000000-0000-1000-8000-000a95a0e128>"',
    );
    assert.equal(contact.contact.params.get('reg-id'), '1');
    assert.equal(response.headers.get('Supported'), 'outbound');
    const [binding] = await stored();
    assert.equal(binding?.instanceId, '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>');
    assert.equal(binding.regId, 1);
  });

  it('refuses several live contacts when one has reg-id (400)', async () => {
    const response = await h.register({
      contacts: [`${PHONE};+sip.instance="<urn:uuid:1>";reg-id=1`, LAPTOP],
    });
    assert.equal(response.status, 400);
  });

  it('behind a proxy without an outbound Path: 439 if the UA wants outbound, else reg-id is ignored', async () => {
    const contact = `${PHONE};+sip.instance="<urn:uuid:1>";reg-id=1`;
    const wants = await h.register({ contacts: [contact], proxies: 1, headers: ['Supported: outbound'] });
    assert.equal(wants.status, 439);
    const ignored = await h.register({ contacts: [contact], proxies: 1 });
    assert.equal(ignored.status, 200);
    assert.equal(ignored.headers.get('Supported'), undefined);
    const [binding] = await stored();
    assert.equal(binding?.regId, undefined);
    assert.equal(binding?.instanceId, '<urn:uuid:1>');
  });

  it('stores the Path (RFC 3327), echoes it and says Supported: path', async () => {
    const response = await h.register({
      contacts: [`${PHONE};+sip.instance="<urn:uuid:1>";reg-id=1`],
      proxies: 1,
      headers: ['Path: <sip:edge0.example.com;lr;ob>', 'Path: <sip:edge1.example.com;lr>'],
    });
    assert.equal(response.status, 200);
    assert.deepEqual(response.headers.values('Path'), [
      '<sip:edge0.example.com;lr;ob>',
      '<sip:edge1.example.com;lr>',
    ]);
    assert.equal(response.headers.get('Supported'), 'path, outbound');
    assert.deepEqual((await stored())[0]?.path, [
      '<sip:edge0.example.com;lr;ob>',
      '<sip:edge1.example.com;lr>',
    ]);
  });

  it('stores RFC 8599 push parameters, and Sylk-style ones', async () => {
    await h.register({
      contacts: [
        '<sip:alice@192.0.2.10:5062;pn-provider=apns;pn-prid=00fc13adff78512;pn-param=ABCD1234.com.example.voip;pn-silent=1>',
      ],
      callId: 'ios',
    });
    await h.register({
      contacts: [`${LAPTOP};pn-type=firebase;pn-tok="tok:123";pn-app=com.agprojects.sylk`],
      callId: 'android',
    });
    const byCall = new Map((await stored()).map((b) => [b.callId, b.push]));
    assert.deepEqual(byCall.get('ios'), {
      provider: 'apns',
      prid: '00fc13adff78512',
      param: 'ABCD1234.com.example.voip',
      extra: { 'pn-silent': '1' },
    });
    assert.deepEqual(byCall.get('android'), {
      provider: 'firebase',
      prid: 'tok:123',
      extra: { 'pn-type': 'firebase', 'pn-tok': 'tok:123', 'pn-app': 'com.agprojects.sylk' },
    });
  });

  it('answers a query (no Contact) with the current bindings, changing nothing', async () => {
    await h.register({ contacts: [PHONE], callId: 'phone' });
    const response = await h.register({ callId: 'query' });
    assert.equal(response.status, 200);
    assert.deepEqual(
      contactsOf(response).map((c) => c.uri),
      ['sip:alice@192.0.2.10:5062'],
    );
    assert.equal((await stored())[0]?.callId, 'phone');
  });

  it('hides an expired binding from replies and look-ups', async () => {
    await h.register({ contacts: [`${PHONE};expires=60`], callId: 'phone' });
    h.clock.advance(59_000);
    assert.equal(contactsOf(await h.register({ callId: 'q1' })).length, 1);
    h.clock.advance(1_000);
    assert.equal((await h.register({ callId: 'q2' })).headers.count('Contact'), 0);
    const locations = new Locations(h.store.locations, h.clock);
    assert.deepEqual(await locations.lookup(AOR), []);
    assert.equal(await locations.purgeExpired(), 1);
  });

  it('refuses malformed contacts with a 400 that says what is wrong', async () => {
    const cases: [string, string][] = [
      ['<sip:alice@192.0.2.10', 'Malformed Contact'],
      ['<tel:+15551234567>', 'Contact URI Is Not SIP'],
      [`${PHONE};q=2`, 'Contact q Invalid'],
      [`${PHONE};+sip.instance="urn:uuid:1"`, 'Contact +sip.instance Invalid'],
      [`${PHONE};+sip.instance="<urn:uuid:1>";reg-id=0`, 'Contact reg-id Invalid'],
    ];
    for (const [contact, reason] of cases) {
      const response = await h.register({ contacts: [contact] });
      assert.equal(response.status, 400, contact);
      assert.equal(response.reason, reason);
    }
    assert.equal((await stored()).length, 0);
  });

  it('normalises the AOR: the domain to lower case, the user as written', async () => {
    assert.equal(
      (await h.register({ contacts: [PHONE], toDomain: 'EXAMPLE.com', uri: 'sip:Example.COM' })).status,
      200,
    );
    const locations = new Locations(h.store.locations, h.clock);
    assert.equal((await locations.lookup('sip:alice@Example.com')).length, 1);
    assert.equal((await locations.lookup('Alice@example.com')).length, 0);
    assert.equal(normalizeAor('<sips:%61lice@EXAMPLE.com>'), AOR);
    assert.equal(normalizeAor('no user'), undefined);
  });
});

describe('Registrar limits and failures', () => {
  it('refuses a device beyond maxContacts with 403, still refreshing the others', async () => {
    const h = await Harness.open({ maxContacts: 2 });
    try {
      await h.register({ contacts: [PHONE], callId: 'a' });
      await h.register({ contacts: [LAPTOP], callId: 'b' });
      const third = await h.register({ contacts: ['<sip:alice@203.0.113.9>'], callId: 'c' });
      assert.equal(third.status, 403);
      assert.equal(third.reason, 'Too Many Contacts');
      assert.equal((await h.register({ contacts: [PHONE], callId: 'a' })).status, 200);
    } finally {
      await h.close();
    }
  });

  it('answers 500 with Retry-After when the location store fails, and does not crash', async () => {
    let failing = false;
    const h = await Harness.open({ retryAfterSeconds: 3 }, (inner: LocationStore) => ({
      upsert: (b) => (failing ? Promise.reject(new StoreError('disk full')) : inner.upsert(b)),
      remove: (aor, key) => inner.remove(aor, key),
      removeFlow: (aor, key, connectionId) => inner.removeFlow(aor, key, connectionId),
      removeAll: (aor) => inner.removeAll(aor),
      lookup: (aor, now) => (failing ? Promise.reject(new StoreError('locked')) : inner.lookup(aor, now)),
      purgeExpired: (now) => inner.purgeExpired(now),
      count: () => inner.count(),
    }));
    try {
      failing = true;
      const response = await h.register({ contacts: [PHONE] });
      assert.equal(response.status, 500);
      assert.equal(response.headers.get('Retry-After'), '3');
      failing = false;
      assert.equal((await h.register({ contacts: [PHONE] })).status, 200);
    } finally {
      await h.close();
    }
  });

  it('refuses contradictory limits', async () => {
    await assert.rejects(Harness.open({ minExpires: 100, maxExpires: 50 }), RangeError);
  });
});
