/**
 * RFC 8599 §5.6 in the standalone proxy: a MESSAGE or INVITE for a binding that carries push parameters and
 * whose flow is gone (its TCP, TLS or WebSocket connection closed) is not sent into the void. The branch
 * waits (its "bucket timer", bounded) while the device is pushed; when the device registers again (the same
 * +sip.instance, or the same pn-provider and pn-prid) the request goes to its new binding; when it does not,
 * or no push could be sent, the branch ends 480 as if the device were not there.
 *
 * UDP: a binding over UDP has no flow missive can see die, and a sleeping phone keeps no UDP NAT mapping
 * open either; it is forwarded as any binding (RFC 8599 devices register over TCP or TLS to be woken).
 */
import type { Logger } from 'pino';
import { getFrom } from '../sip/headers/name-addr.js';
import type { SipRequest } from '../sip/message/message.js';
import type { Binding } from '../store/location/binding.js';
import type { Clock, Timer } from '../time/clock.js';
import { aorOfUri } from '../registrar/aor.js';
import type { Locations } from '../registrar/locations.js';
import { bindingTarget, deviceTargets } from './binding-target.js';
import type { DeviceWaker, WakeRequest } from './device-waker.js';
import type { DeferredTarget, ForwardTarget, NetworkTarget } from './proxy/forward-target.js';

/** Requests that wake a device (RFC 8599 §5.6: initial requests for a dialog and stand-alone requests). */
const WAKING_METHODS: ReadonlySet<string> = new Set(['INVITE', 'MESSAGE']);
/** Requests waiting for woken devices at most; beyond, a sleeping device's branch ends 480 at once. */
const DEFAULT_MAX_WAITS = 10_000;

interface Wait {
  readonly aor: string;
  readonly asleep: Binding;
  /** The clock when the wait began: only a registration since then is the device waking. */
  readonly since: number;
  readonly done: (target: NetworkTarget | undefined) => void;
  timer: Timer | undefined;
}

export interface SleepingDevicesOptions {
  readonly waker: DeviceWaker;
  readonly locations: Locations;
  readonly clock: Clock;
  /** How long a request waits for the woken device's REGISTER. */
  readonly timeoutMs: number;
  /** Whether a connection of this process is still open. */
  readonly isConnectionOpen: (connectionId: string) => boolean;
  readonly maxWaits?: number | undefined;
  readonly logger?: Logger | undefined;
}

export class SleepingDevices {
  readonly #options: SleepingDevicesOptions;
  /** By AOR. */
  readonly #waits = new Map<string, Set<Wait>>();
  #count = 0;

  constructor(options: SleepingDevicesOptions) {
    this.#options = options;
  }

  /** Requests waiting for a device now (for tests and metrics). */
  get waiting(): number {
    return this.#count;
  }

  /** The targets of `devices` for `request`: reachable ones as usual, sleeping ones as a wake and a wait. */
  targets(devices: readonly Binding[], request: SipRequest): ForwardTarget[] {
    if (!WAKING_METHODS.has(request.method)) return deviceTargets(devices);
    const live = devices.filter((binding) => !this.#asleep(binding));
    const liveInstances = new Set(live.map((binding) => binding.instanceId));
    const woken = new Set<string>();
    const asleep: Binding[] = [];
    for (const binding of devices) {
      if (!this.#asleep(binding) || push(binding) === undefined) continue;
      // Reachable over another flow of the same instance: no need to wake it.
      if (binding.instanceId !== undefined && liveInstances.has(binding.instanceId)) continue;
      // Stale bindings of one device (one PRID) wake it once.
      const device = `${push(binding)?.provider ?? ''} ${push(binding)?.prid ?? ''}`;
      if (woken.has(device)) continue;
      woken.add(device);
      asleep.push(binding);
    }
    const wakeRequest = wakeRequestOf(request);
    return [
      ...deviceTargets(live),
      ...asleep.map(
        (binding): DeferredTarget => ({
          kind: 'deferred',
          name: `wake ${binding.contact}`,
          resolve: () => this.#wake(binding, wakeRequest),
        }),
      ),
    ];
  }

  /** A REGISTER for `aor` was answered 2xx: requests waiting for one of its devices may go on now. */
  registered(aor: string): void {
    const waits = this.#waits.get(aor);
    if (waits === undefined) return;
    this.#options.locations.lookup(aor).then(
      (bindings) => {
        for (const wait of [...waits]) {
          const woke = bindings.find(
            (binding) =>
              binding.updatedAt >= wait.since && !this.#asleep(binding) && sameDevice(wait.asleep, binding),
          );
          const target = woke === undefined ? undefined : bindingTarget(woke);
          if (target !== undefined) this.#end(wait, target);
        }
      },
      (error: unknown) => {
        this.#options.logger?.warn({ err: error, aor }, 'looking up a woken device failed');
      },
    );
  }

  /** Whether the binding can be woken and is not reachable now (push parameters, its flow gone). */
  #asleep(binding: Binding): boolean {
    const { transport, connectionId } = binding.source;
    if (binding.push === undefined || transport === 'udp' || connectionId === undefined) return false;
    return !this.#options.isConnectionOpen(connectionId);
  }

  #wake(binding: Binding, request: WakeRequest): Promise<NetworkTarget | undefined> {
    const parameters = push(binding);
    if (parameters === undefined || this.#count >= (this.#options.maxWaits ?? DEFAULT_MAX_WAITS))
      return Promise.resolve(undefined);
    let done: (target: NetworkTarget | undefined) => void = () => undefined;
    const promise = new Promise<NetworkTarget | undefined>((resolve) => {
      done = resolve;
    });
    const wait: Wait = {
      aor: binding.aor,
      asleep: binding,
      since: this.#options.clock.now(),
      done,
      timer: undefined,
    };
    wait.timer = this.#options.clock.schedule(this.#options.timeoutMs, () => {
      this.#options.logger?.info(
        { aor: binding.aor, provider: parameters.provider, callId: request.callId },
        'woken device did not register in time',
      );
      this.#end(wait, undefined);
    });
    let waits = this.#waits.get(binding.aor);
    if (waits === undefined) {
      waits = new Set();
      this.#waits.set(binding.aor, waits);
    }
    waits.add(wait);
    this.#count++;
    const device = {
      aor: binding.aor,
      contact: binding.contact,
      instanceId: binding.instanceId,
      push: parameters,
    };
    void this.#options.waker.wake(device, request).then((sent) => {
      if (!sent) this.#end(wait, undefined);
    });
    return promise;
  }

  #end(wait: Wait, target: NetworkTarget | undefined): void {
    const waits = this.#waits.get(wait.aor);
    if (waits?.delete(wait) !== true) return;
    if (waits.size === 0) this.#waits.delete(wait.aor);
    this.#count--;
    wait.timer?.cancel();
    wait.done(target);
  }
}

function push(binding: Binding): Binding['push'] {
  return binding.push;
}

/** The same device registered again: its +sip.instance, or else its push service and PRID. */
function sameDevice(asleep: Binding, binding: Binding): boolean {
  if (asleep.instanceId !== undefined && binding.instanceId === asleep.instanceId) return true;
  const was = asleep.push;
  const now = binding.push;
  return was !== undefined && now !== undefined && was.provider === now.provider && was.prid === now.prid;
}

function wakeRequestOf(request: SipRequest): WakeRequest {
  const from = getFrom(request.headers);
  const fromAor = from === undefined ? undefined : aorOfUri(from.uri);
  const to = aorOfUri(request.uri);
  return {
    method: request.method,
    from: fromAor?.key ?? from?.uri.toString() ?? '',
    to: to?.key ?? request.uri.toString(),
    callId: request.headers.get('Call-ID') ?? '',
  };
}
