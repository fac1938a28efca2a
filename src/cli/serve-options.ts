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
    push: {
      providers: {
        gatewayUrl: settings.pushUrl,
        timeoutMs: ms(settings.pushTimeout),
        apps: settings.pushApps,
        apns:
          settings.apnsKeyFile === undefined ||
          settings.apnsKeyId === undefined ||
          settings.apnsTeamId === undefined
            ? undefined
            : {
                keyFile: settings.apnsKeyFile,
                keyId: settings.apnsKeyId,
                teamId: settings.apnsTeamId,
                environment: settings.apnsEnvironment,
                ...(settings.apnsOrigin === undefined ? {} : { origin: settings.apnsOrigin }),
              },
        fcm:
          settings.fcmServiceAccountFile === undefined
            ? undefined
            : {
                serviceAccountFile: settings.fcmServiceAccountFile,
                ...(settings.fcmOrigin === undefined ? {} : { origin: settings.fcmOrigin }),
                ...(settings.fcmTokenUrl === undefined ? {} : { tokenUrl: settings.fcmTokenUrl }),
              },
      },
      dispatch: {
        contentMode: settings.pushContent,
        limit: settings.pushQueueLimit,
        concurrency: settings.pushConcurrency,
        retryWindowMs: ms(settings.pushRetryWindow),
      },
      wakeTimeoutMs: ms(settings.pushWakeTimeout),
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
