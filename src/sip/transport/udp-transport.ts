/**
 * SIP over UDP (RFC 3261 §18): one datagram, one message. CRLF-only datagrams are keepalives and ignored;
 * a rejected request is answered to the datagram's source address (RFC 3581 symmetric response); anything
 * else that does not parse is dropped. One socket per transport, bound by listen().
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import type { SipMessage } from '../message/message.js';
import { serializeMessage } from '../message/serialize.js';
import { parseDatagram } from '../parser/datagram.js';
import { DEFAULT_PARSER_CONFIG, type ParserConfig } from '../parser/limits.js';
import { errorAnswer, stampIncoming } from './incoming.js';
import {
  type LocalAddress,
  type MessageSource,
  type SendTarget,
  type Transport,
  TransportError,
  type TransportEvents,
} from './types.js';

export interface UdpTransportOptions {
  readonly parser?: ParserConfig | undefined;
}

/**
 * Socket buffers asked for: a burst that arrives while the event loop is busy (a GC pause) waits in the kernel
 * instead of being dropped. The kernel caps the value at net.core.rmem_max / wmem_max.
 */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * The socket's name lookup before each send: an IP address (what the transaction layer sends to almost
 * always: a Via's received, a registered source) is answered at once. dns.lookup answers it too, but only on
 * the next tick, after validating its options: one more callback round per datagram on the proxy path.
 */
function lookupAddress(hostname: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
}

export class UdpTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly protocol = 'udp';
  readonly #parser: ParserConfig;
  #socket: Socket | undefined;
  #local: LocalAddress = { host: '0.0.0.0', port: 0 };

  constructor(options: UdpTransportOptions = {}) {
    super();
    this.#parser = options.parser ?? DEFAULT_PARSER_CONFIG;
  }

  listen(host: string, port: number): Promise<LocalAddress> {
    if (this.#socket !== undefined) return Promise.reject(new TransportError('udp: already listening'));
    const socket = createSocket({
      type: isIPv6(host) ? 'udp6' : 'udp4',
      recvBufferSize: SOCKET_BUFFER_BYTES,
      sendBufferSize: SOCKET_BUFFER_BYTES,
      lookup: lookupAddress,
    });
    this.#socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        // A socket error (e.g. ICMP-driven on some platforms) must not crash the process.
        socket.on('error', () => undefined);
        socket.on('message', (packet, remote) => {
          this.#receive(packet, remote);
        });
        const address = socket.address();
        this.#local = { host: address.address, port: address.port };
        resolve(this.#local);
      });
    });
  }

  send(message: SipMessage, target: SendTarget): Promise<void> {
    return this.sendBytes(serializeMessage(message), target.host, target.port);
  }

  close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      socket.close(() => {
        resolve();
      });
    });
  }

  /** A message already serialized (a retransmitted response). */
  sendBytes(bytes: Buffer, host: string, port: number): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return Promise.reject(new TransportError('udp: not listening'));
    return new Promise((resolve, reject) => {
      socket.send(bytes, port, host, (error) => {
        if (error === null) resolve();
        else reject(new TransportError(`udp: send to ${host}:${port} failed: ${error.message}`));
      });
    });
  }

  #receive(packet: Buffer, remote: RemoteInfo): void {
    const source: MessageSource = {
      transport: 'udp',
      host: remote.address,
      port: remote.port,
      local: this.#local,
    };
    const result = parseDatagram(packet, this.#parser);
    switch (result.kind) {
      case 'keepalive':
        return;
      case 'error': {
        const answer = errorAnswer(result.error, source);
        if (answer !== undefined) this.sendBytes(answer, source.host, source.port).catch(() => undefined);
        return;
      }
      case 'message':
        stampIncoming(result.message, source);
        this.emit('message', result.message, source);
        return;
    }
  }
}
