/**
 * RFC 8599's wake push, through the dispatcher (so it shares the providers, the queue and the retries): the
 * routing layer's DeviceWaker (src/routing/device-waker.ts). A token the provider says is gone is not
 * removed here: it belongs to the registration, which expires or is replaced by the device itself.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeviceWaker, SleepingDevice, WakeRequest } from '../routing/device-waker.js';
import type { PushDispatcher } from './dispatcher.js';
import { pushTargetOf } from './pn-target.js';

export class PushDeviceWaker implements DeviceWaker {
  readonly #dispatcher: PushDispatcher;
  readonly #logger: Logger | undefined;

  constructor(dispatcher: PushDispatcher, logger?: Logger) {
    this.#dispatcher = dispatcher;
    this.#logger = logger;
  }

  async wake(device: SleepingDevice, request: WakeRequest): Promise<boolean> {
    const target = pushTargetOf(device, request.method);
    const outcome = await this.#dispatcher.wake(target, {
      kind: 'wake',
      callId: randomUUID(),
      method: request.method,
      from: request.from,
      to: request.to,
    });
    const fields = { aor: device.aor, app: target.appId, platform: target.platform, callId: request.callId };
    if (outcome.kind === 'sent') this.#logger?.debug(fields, 'device woken by push (RFC 8599)');
    else this.#logger?.info({ ...fields, reason: outcome.reason }, 'wake push not sent (RFC 8599)');
    return outcome.kind === 'sent';
  }
}
