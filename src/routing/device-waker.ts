/**
 * RFC 8599's push, as the proxy needs it: a device that registered with push parameters (`pn-provider`,
 * `pn-prid`, `pn-param`, or Sylk's `pn-type`/`pn-tok`/`pn-app`) and whose flow is gone is woken by a push so
 * that it registers again. The proxy knows nothing of push services: the composition root injects a waker
 * (src/push/device-waker.ts implements it).
 */
import type { PushParameters } from '../store/location/binding.js';

/** The request waiting for the device (RFC 8599 §5.6). */
export interface WakeRequest {
  readonly method: string;
  /** The caller's AOR (`alice@example.com`), or the From URI when it names no AOR. */
  readonly from: string;
  /** The device's AOR. */
  readonly to: string;
  readonly callId: string;
}

export interface SleepingDevice {
  readonly aor: string;
  readonly contact: string;
  readonly instanceId?: string | undefined;
  readonly push: PushParameters;
}

export interface DeviceWaker {
  /** Asks the device's push service to wake it; true once the service accepted the push. Never rejects. */
  wake(device: SleepingDevice, request: WakeRequest): Promise<boolean>;
}
