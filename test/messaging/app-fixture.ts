/**
 * The messaging application inside a real SipService over a real store (SQLite or PostgreSQL), for the
 * acceptance tests. Two modes:
 * - standalone: no trusted peers; agents register and authenticate; the server's own MESSAGEs go to devices.
 * - behind-proxy: 127.0.0.1 trusted; MESSAGEs are injected with X-Sylk-App; the server's own MESSAGEs go to
 *   `proxy`, an agent standing for Kamailio, which records them.
 * Every event the application emits is recorded.
 */
import { SipService } from '../../src/server/sip-service.js';
import { SipHeaders } from '../../src/sip/headers/header-list.js';
import { generateBranch, generateCallId, generateTag } from '../../src/sip/message/ids.js';
import { SipRequest, type SipResponse } from '../../src/sip/message/message.js';
import { parseUri } from '../../src/sip/uri.js';
import { type OpenStoreOptions, openStore, type Store } from '../../src/store/index.js';
import { createMessaging, type Messaging } from '../../src/messaging/create.js';
import type { MessagingEvent } from '../../src/messaging/events.js';
import { AccountSubscriptions } from '../../src/messaging/subscriptions.js';
import { Agent } from '../support/sip-agent.js';
import { digestAuthorization, firstNonce } from '../sip/auth/digest-client.js';
import { type ConformanceBackend, postgresBackend, sqliteBackend } from '../store/backends.js';

export const DOMAIN = 'example.test';
export const PASSWORD = 'secret';
export const USERS = ['alice', 'bob', 'carol'] as const;

export type Mode = 'standalone' | 'behind-proxy';

export interface AppFixture {
  readonly store: Store;
  /** The messaging service the WebSocket and HTTP adapters call. */
  readonly service: Messaging['service'];
  /** Where the service's events go: a test subscribes devices here. */
  readonly subscriptions: AccountSubscriptions;
  readonly events: MessagingEvent[];
  readonly port: number;
  /** Behind-proxy: the proxy stub that receives the server's own MESSAGEs (answering 200). */
  readonly proxy: Agent | undefined;
  agent(user: string): Promise<Agent>;
  /** Events of a kind for an account, in order. */
  eventsFor(kind: MessagingEvent['kind'], account: string): MessagingEvent[];
  close(): Promise<void>;
}

export const BACKENDS: readonly { name: string; open: () => Promise<ConformanceBackend> }[] = [
  { name: 'SQLite', open: sqliteBackend },
  { name: 'PostgreSQL', open: postgresBackend },
];

export async function startApp(
  backend: ConformanceBackend,
  mode: Mode,
  storeOptions: OpenStoreOptions = {},
): Promise<AppFixture> {
  const target = await backend.fresh();
  const store = await openStore(target.uri, storeOptions);
  for (const user of USERS) await store.subscribers.add(user, DOMAIN, PASSWORD);
  const events: MessagingEvent[] = [];
  const subscriptions = new AccountSubscriptions({
    onPush: (push) => events.push({ kind: 'push', account: push.account, push }),
  });
  // Every event of the users, recorded as one device of each that never sends anything itself.
  for (const user of USERS)
    subscriptions.subscribe(`${user}@${DOMAIN}`, { id: 'recorder' }, (event) => events.push(event));
  let proxy: Agent | undefined;
  if (mode === 'behind-proxy') {
    // The stub listens before the service knows of it: its port is the outbound proxy.
    proxy = await new Agent('proxy', DOMAIN, PASSWORD, {
      transport: 'udp',
      host: '127.0.0.1',
      port: 9,
    }).start();
  }
  let messaging: Messaging | undefined;
  const sip = new SipService({
    store,
    domains: [DOMAIN],
    host: '127.0.0.1',
    listen: [{ transport: 'udp', port: 0 }],
    trustedPeers: mode === 'behind-proxy' ? ['127.0.0.1/32'] : [],
    messaging: (environment) => {
      messaging = createMessaging(
        {
          store,
          subscriptions,
          outboundProxy: proxy === undefined ? undefined : `sip:127.0.0.1:${String(proxy.port)}`,
          publicUrl: 'https://missive.example.test:10888',
        },
        environment,
      );
      return messaging.sip;
    },
  });
  if (messaging === undefined) throw new Error('the SIP service made no messaging');
  const service = messaging.service;
  const points = await sip.start();
  const port = points[0]?.port ?? 0;
  const agents: Agent[] = [];
  if (proxy !== undefined) autoAnswer(proxy);
  return {
    store,
    service,
    subscriptions,
    events,
    port,
    proxy,
    async agent(user) {
      const agent = await new Agent(user, DOMAIN, PASSWORD, {
        transport: 'udp',
        host: '127.0.0.1',
        port,
      }).start();
      agents.push(agent);
      return agent;
    },
    eventsFor(kind, account) {
      return events.filter((event) => event.kind === kind && event.account === account);
    },
    async close() {
      await Promise.all(agents.map((agent) => agent.stop()));
      await proxy?.stop();
      await sip.stop();
      await store.close();
    },
  };
}

/** The proxy stub answers every MESSAGE it gets 200 (so UDP retransmissions stop) and keeps it. */
function autoAnswer(proxy: Agent): void {
  proxy.transports.on('message', (message, source) => {
    if (message.kind !== 'request' || message.method !== 'MESSAGE') return;
    void proxy.answer({ message, source }, 200).catch(() => undefined);
  });
}

export interface MessageSpec {
  readonly to: string;
  readonly contentType: string;
  readonly body: string | Buffer;
  readonly extra?: readonly (readonly [string, string])[];
  /** From another user than the agent's (behind a proxy, the proxy asserts any From). */
  readonly from?: string;
  readonly omit?: readonly string[];
}

/** A MESSAGE from `agent` (its own From unless `from`), with the given body. */
export function messageRequest(agent: Agent, spec: MessageSpec): SipRequest {
  const uri = parseUri(`sip:${spec.to}`);
  if (uri === undefined) throw new Error(`bad AOR ${spec.to}`);
  const headers = SipHeaders.of([
    ['Via', `SIP/2.0/UDP 127.0.0.1:${String(agent.port)};branch=${generateBranch()};rport`],
    ['Max-Forwards', '70'],
    ['From', `<sip:${spec.from ?? `${agent.user}@${agent.domain}`}>;tag=${generateTag()}`],
    ['To', `<sip:${spec.to}>`],
    ['Call-ID', generateCallId('test')],
    ['CSeq', '1 MESSAGE'],
    ['Content-Type', spec.contentType],
    ...(spec.extra ?? []),
  ]);
  for (const name of spec.omit ?? []) headers.delete(name);
  const body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : spec.body;
  return new SipRequest({ method: 'MESSAGE', uri, headers, body });
}

/** How long a test waits for an answer: generous, the machine is shared (PostgreSQL under load). */
export const ANSWER_MS = 15_000;

/** Sends and waits for the final response (longer than Agent.transact's 3 s). */
export async function transact(agent: Agent, request: SipRequest, ms = ANSWER_MS): Promise<SipResponse> {
  await agent.send(request);
  const cseq = request.headers.get('CSeq');
  const callId = request.headers.get('Call-ID');
  const found = await agent.next(
    (m) =>
      m.kind === 'response' &&
      m.status >= 200 &&
      m.headers.get('CSeq') === cseq &&
      m.headers.get('Call-ID') === callId,
    ms,
  );
  return found.message as SipResponse;
}

/** Injects as the trusted proxy would (X-Sylk-App: webrtcgateway). */
export async function inject(agent: Agent, spec: MessageSpec, ms = ANSWER_MS): Promise<SipResponse> {
  return transact(
    agent,
    messageRequest(agent, { ...spec, extra: [['X-Sylk-App', 'webrtcgateway'], ...(spec.extra ?? [])] }),
    ms,
  );
}

export interface CpimSpec {
  readonly from: string;
  readonly to: string;
  readonly messageId?: string;
  readonly dateTime?: string;
  readonly disposition?: string;
  readonly contentType: string;
  readonly content: string;
}

export function cpim(spec: CpimSpec): string {
  const lines = [`From: <sip:${spec.from}>`, `To: <sip:${spec.to}>`];
  if (spec.dateTime !== undefined) lines.push(`DateTime: ${spec.dateTime}`);
  lines.push('NS: imdn <urn:ietf:params:imdn>');
  if (spec.messageId !== undefined) lines.push(`imdn.Message-ID: ${spec.messageId}`);
  if (spec.disposition !== undefined) lines.push(`imdn.Disposition-Notification: ${spec.disposition}`);
  return `${lines.join('\r\n')}\r\n\r\nContent-Type: ${spec.contentType}\r\n\r\n${spec.content}`;
}

/** A CPIM text message whose text is its Message-ID, asking for `display`: it counts as unread (sylk spec §3.7). */
export function unreadCpim(from: string, to: string, messageId: string): string {
  return cpim({ from, to, messageId, disposition: 'display', contentType: 'text/plain', content: messageId });
}

export function imdnXml(messageId: string, status: 'delivered' | 'displayed'): string {
  const element = status === 'delivered' ? 'delivery-notification' : 'display-notification';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<imdn xmlns="urn:ietf:params:xml:ns:imdn">' +
    `<message-id>${messageId}</message-id><datetime>2024-05-01T10:00:00+00:00</datetime>` +
    `<recipient-uri>sip:bob@${DOMAIN}</recipient-uri>` +
    `<${element}><status><${status}/></status></${element}></imdn>`
  );
}

/** The proxy stub's next MESSAGE with this Content-Type. */
export async function ownMessage(proxy: Agent, contentType: string, ms = ANSWER_MS): Promise<SipRequest> {
  const received = await proxy.next(
    (m) => m.kind === 'request' && m.method === 'MESSAGE' && m.headers.get('Content-Type') === contentType,
    ms,
  );
  return received.message as SipRequest;
}

/** Standalone: sends the MESSAGE and answers the proxy's 407 with the agent's credentials. */
export async function sendAuthenticated(agent: Agent, spec: MessageSpec): Promise<SipResponse> {
  const first = messageRequest(agent, spec);
  const challenge = await transact(agent, first);
  if (challenge.status !== 407) return challenge;
  const retry = messageRequest(agent, spec);
  for (const name of ['Call-ID', 'From']) retry.headers.set(name, first.headers.get(name) ?? '');
  retry.headers.set('CSeq', '2 MESSAGE');
  retry.headers.add(
    'Proxy-Authorization',
    digestAuthorization({
      username: agent.user,
      realm: agent.domain,
      password: agent.password,
      nonce: firstNonce(challenge),
      method: 'MESSAGE',
      uri: retry.uri.toString(),
    }),
  );
  return transact(agent, retry);
}

/** A device answers every MESSAGE it gets with 200 and keeps it in its inbox. */
export function answerMessages(agent: Agent): void {
  autoAnswer(agent);
}
