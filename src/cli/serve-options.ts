/** The effective settings, as `runServeCommand` (serve-command.ts) takes them. */
import type { ServeSettings } from '../config/serve-settings.js';
import type { ServeOptions } from './serve-command.js';

export function serveOptions(settings: ServeSettings): ServeOptions {
  const ms = (value: number): number => Math.round(value * 1000);
  return {
    ...settings,
    messageLimits: {
      maxMessageBytes: settings.maxMessageBytes,
      messagesPerSecond: settings.messageRate,
      messageBurst: settings.messageBurst,
      journalMaxEntries: settings.journalMaxEntries,
      journalMaxBytes: settings.journalMaxBytes,
    },
    connectionLimits: {
      maxConnections: settings.maxConnections,
      maxConnectionsPerSource: settings.maxConnectionsPerSource,
      maxOutboundConnections: settings.maxOutboundConnections,
      handshakeTimeoutMs: ms(settings.handshakeTimeout),
      firstRequestTimeoutMs: ms(settings.firstRequestTimeout),
      messageTimeoutMs: ms(settings.messageTimeout),
      idleTimeoutMs: ms(settings.idleTimeout),
    },
    sylkRtc: {
      webOrigins: settings.webOrigin,
      pingIntervalSeconds: settings.wsPingInterval,
      maxFrameBytes: settings.wsMaxFrameBytes,
      requestsPerSecond: settings.wsRequestRate,
      requestBurst: settings.wsRequestBurst,
      maxAccounts: settings.wsMaxAccounts,
      loginTimeoutSeconds: settings.wsLoginTimeout,
    },
  };
}
