/** One log line per push a provider sent or did not send: debug when sent, a warning with the reason when not. */
import type { Logger } from 'pino';
import type { PushDelivery, PushOutcome } from './provider.js';

export function logPushOutcome(
  logger: Logger,
  provider: string,
  delivery: PushDelivery,
  outcome: PushOutcome,
): void {
  const fields = {
    account: delivery.target.account,
    deviceId: delivery.target.deviceId,
    callId: delivery.notification.callId,
    outcome: outcome.kind,
    ...(outcome.kind === 'sent' ? {} : { reason: outcome.reason }),
  };
  if (outcome.kind === 'sent') logger.debug(fields, `${provider} push sent`);
  else logger.warn(fields, `${provider} push not sent`);
}
