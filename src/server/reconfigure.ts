/**
 * SIGHUP's new settings applied to a running `missive serve`, without dropping a connection or a transaction:
 * the certificates (read again from disk, so an ACME renewal is picked up: new handshakes get the new ones,
 * open connections keep theirs), the served domains, the trusted peers, the message limits, the log level and
 * the push providers (credentials, gateway URL, apps, content mode). Everything is checked before anything
 * changes: a certificate that cannot be used (or that lacks the relay's host name) rejects the whole reload
 * and the running configuration stays. The settings that need a restart are named by signals.ts.
 */
import { resolve } from 'node:path';
import type { NamedCredentials } from '../tls/server-certificates.js';
import { ServerCertificates } from '../tls/server-certificates.js';
import { ensureSelfSignedCertificate } from '../tls/self-signed.js';
import { CertificateError, loadCertificates, type ServerCertificateSet } from './certificates.js';
import type { ListenerTls, Running } from './running.js';
import { relaySettingsOf } from './parts.js';
import type { ServerSettings } from './settings.js';
import { systemClock } from '../time/clock.js';
import { DEFAULT_PUSH_SETTINGS } from '../push/push-settings.js';
import { logPush, pushProvidersOf } from './push.js';

export function listenerTls(set: ServerCertificateSet): ListenerTls {
  const sni = namedOf(set);
  return {
    sip: new ServerCertificates(set.sip.pair, sni),
    web: new ServerCertificates(set.web.pair, sni),
    relay: new ServerCertificates(set.relay.pair, sni),
  };
}

export async function reconfigure(running: Running, settings: ServerSettings): Promise<Running> {
  const { logger } = running;
  const loaded = await loadCertificates(
    settings.tls,
    () => ensureSelfSignedCertificate(resolve(running.settings.dataDir), running.domain),
    running.domain,
    new Date(systemClock.now()),
  );
  if (!loaded.ok) throw new CertificateError(loaded.problems);
  const set = loaded.value;
  // Push credentials that cannot be used reject the reload (PushCredentialsError) before anything changed.
  const push = settings.push ?? DEFAULT_PUSH_SETTINGS;
  const pushProviders = pushProvidersOf(push, logger);
  // The relay checks its files (and that they name its host) before it changes anything: first, so that a
  // refusal there leaves every listener as it was.
  await running.relay.reload(
    relaySettingsOf(running.settings, running.domain, set.relay.pair.files),
    running.store.subscribers.credentials,
  );
  const sni = namedOf(set);
  running.tls.sip.replace(set.sip.pair, sni);
  running.sip.transports.tls.setSecureContext(running.tls.sip.credentials);
  running.tls.web.replace(set.web.pair, sni);
  running.web?.setSecureContext(running.tls.web.credentials);
  running.tls.relay.replace(set.relay.pair, sni);
  for (const warning of set.warnings) logger.warn({ warning }, 'TLS certificate');
  running.sip.setTrustedPeers(settings.sip.trustedPeers);
  running.messaging.setLimits(settings.messaging.limits);
  const domains = settings.domains.length > 0 ? settings.domains : [running.domain];
  running.sip.setDomains(domains);
  running.web?.setSipDomains(domains);
  if (domains[0] !== running.domain)
    logger.warn(
      { domain: running.domain },
      'the first domain changed: the MSRP relay host name, the self-signed certificate and the test account keep the old one until a restart',
    );
  logger.level = settings.logLevel;
  running.push.replaceProviders(pushProviders, push.dispatch.contentMode);
  logPush(push, pushProviders, logger);
  logger.info(
    {
      sip: set.sip.pair.files.certificate,
      web: set.web.pair.files.certificate,
      relay: set.relay.pair.files.certificate,
      sni: set.sni.map((pair) => pair.files.certificate),
    },
    'TLS certificates loaded',
  );
  // The settings a restart would apply stay as they were, so the next reload compares with what runs.
  return {
    ...running,
    settings: {
      ...running.settings,
      tls: settings.tls,
      logLevel: settings.logLevel,
      domains,
      sip: { ...running.settings.sip, trustedPeers: settings.sip.trustedPeers },
      messaging: { ...running.settings.messaging, limits: settings.messaging.limits },
      push: {
        ...(running.settings.push ?? DEFAULT_PUSH_SETTINGS),
        providers: push.providers,
        // The queue's bounds need a restart: they stay as they run.
        dispatch: {
          ...(running.settings.push ?? DEFAULT_PUSH_SETTINGS).dispatch,
          contentMode: push.dispatch.contentMode,
        },
      },
    },
  };
}

function namedOf(set: ServerCertificateSet): NamedCredentials[] {
  return set.sni.map((pair) => ({ cert: pair.cert, key: pair.key, names: pair.names }));
}
