/**
 * A stateful proxy's response context (RFC 3261 §16.7) for one server transaction: a branch per target (a
 * client transaction, or an application inside missive), provisional and 2xx responses forwarded at once,
 * failures held until every branch has answered and the best one forwarded; a local branch may start on the
 * first 2xx and hold it (afterSuccess), and one may gate the final response (holdsFinal). For INVITE
 * a 2xx or 6xx cancels the branches still pending, a CANCEL from upstream cancels them all (RFC 3261 §16.10), and Timer C
 * (RFC 3261 §16.8) cancels a branch that rings too long. A branch toward a host name (a `locate` target) is located by
 * DNS first and fails over between the targets found (RFC 3263 §4.3); a device's flows take turns in one
 * branch, the next on 430 or when its connection is gone (RFC 5626 §7).
 */
import type { Clock } from '../../time/clock.js';
import { createResponse } from '../../sip/message/create-response.js';
import { generateTag } from '../../sip/message/ids.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import { popVia } from '../../sip/message/via-stack.js';
import { cancelFor } from '../../sip/transaction/same-hop-request.js';
import type { TransactionLayer } from '../../sip/transaction/transaction-layer.js';
import type {
  ClientFailure,
  ClientTransactionHandler,
  ServerTransaction,
} from '../../sip/transaction/types.js';
import { FailoverRequest } from '../../sip/dns/failover.js';
import type { LocatedTransport, ServerLocator } from '../../sip/dns/locator.js';
import type { SipUri } from '../../sip/uri.js';
import type { MessageSource } from '../../sip/transport/types.js';
import { triesNextFlow } from '../binding-target.js';
import type { LocalAddresses, ListeningPoint } from '../local-addresses.js';
import { bestResponse } from './best-response.js';
import { Branch } from './branch.js';
import type { DeferredTarget, ForwardTarget, LocalTarget, NetworkTarget } from './forward-target.js';
import { needsLocating, nextHopUri } from '../next-hop.js';
import { outgoingRequest } from './outgoing-request.js';

/** RFC 3261 §16.8: Timer C must be greater than 3 minutes. */
const TIMER_C_MS = 181_000;
/** 64*T1 with the default T1: the time a located branch's attempts share. */
const DEFAULT_BUDGET_MS = 32_000;
const LOCATED_TRANSPORTS: readonly LocatedTransport[] = ['udp', 'tcp', 'tls'];

export interface ProxyEnvironment {
  readonly transactions: TransactionLayer;
  readonly local: LocalAddresses;
  readonly clock: Clock;
  /** Told about each response forwarded from a device (to add the contact alias, for instance). */
  readonly onDownstreamResponse?: ((response: SipResponse, source: MessageSource) => void) | undefined;
  /** Told when an application branch throws; the branch then counts as a 500. */
  readonly onLocalError?: ((error: unknown, target: { readonly name: string }) => void) | undefined;
  /** Locates `locate` targets by DNS; without one they are sent as written (the transport resolves A). */
  readonly locator?: ServerLocator | undefined;
  /** The time a located branch's attempts share (64*T1). Default 32 s. */
  readonly failoverBudgetMs?: number | undefined;
}

export interface ProxyOptions {
  /** Record-Route with the point the request came in on. */
  readonly recordRoute?: ListeningPoint | undefined;
}

export class ProxyContext {
  readonly #branches: Branch[] = [];
  readonly #isInvite: boolean;
  #forwardedFinal = false;
  #cancelled = false;
  /**
   * Local answers share one To tag, as one element's answers should; drawn at the first, since most
   * requests get a device's answer and none of ours.
   */
  #toTag: string | undefined;
  readonly #generated = new WeakSet<SipResponse>();
  /** Non-INVITE: the first 2xx, held while a gating branch (LocalTarget.holdsFinal) has not answered. */
  #held: { response: SipResponse; source: MessageSource } | undefined;
  #base: SipRequest | undefined;
  /** Branches waiting for a device to wake (DeferredTarget). */
  readonly #asleep = new Set<Branch>();

  readonly #env: ProxyEnvironment;
  readonly #server: ServerTransaction;
  readonly #options: ProxyOptions;

  constructor(env: ProxyEnvironment, server: ServerTransaction, options: ProxyOptions = {}) {
    this.#env = env;
    this.#server = server;
    this.#options = options;

    this.#isInvite = server.request.method === 'INVITE';
  }

  /** Starts a branch per target; `base` is the request after route processing and Max-Forwards. */
  start(base: SipRequest, targets: readonly ForwardTarget[]): void {
    // An INVITE has no single 2xx to wait on: afterSuccess targets do not apply to it.
    const usable = targets.filter((target) => !this.#isInvite || !isAfterSuccess(target));
    if (!usable.some((target) => !isAfterSuccess(target))) {
      this.#forwardedFinal = true;
      this.#server.respond(this.#localResponse(480));
      return;
    }
    this.#base = base;
    for (const target of usable) {
      const waiting = target.kind === 'local' && isAfterSuccess(target) ? target : undefined;
      const branch = new Branch({
        gatesFinal: waiting !== undefined || (target.kind === 'local' && target.holdsFinal === true),
        waiting,
      });
      this.#branches.push(branch);
      if (waiting !== undefined) continue;
      if (target.kind === 'local') {
        this.#startLocal(branch, base, target);
      } else if (target.kind === 'deferred') {
        this.#startDeferred(branch, base, target);
      } else {
        branch.setFallbacks(target.fallbacks ?? []);
        this.#startNetwork(branch, base, target);
      }
    }
  }

  /** RFC 5626 §7: the branch's flow failed; the device's next flow, if any, replaces it. */
  #nextFlow(branch: Branch): boolean {
    const base = this.#base;
    if (base === undefined || branch.cancel !== 'none') return false;
    const next = branch.takeFallback();
    if (next === undefined) return false;
    branch.attemptWith(undefined);
    this.#startNetwork(branch, base, next);
    return true;
  }

  /** A CANCEL for the INVITE arrived: cancel every pending branch (the 487s come back through them). */
  cancel(): void {
    if (this.#forwardedFinal) return;
    this.#cancelled = true;
    // A branch waiting for its device to wake has nothing on the wire to cancel: it ends now.
    for (const branch of [...this.#asleep]) this.#branchFinal(branch, this.#localResponse(487));
    for (const branch of this.#branches) this.#cancelBranch(branch);
  }

  #startNetwork(branch: Branch, base: SipRequest, target: NetworkTarget): void {
    const locator = target.locate === true ? this.#env.locator : undefined;
    const hop = locator === undefined ? undefined : nextHopUri(base.headers, target.uri);
    if (locator !== undefined && hop !== undefined && needsLocating(hop)) {
      this.#startLocated(branch, base, target, hop, locator);
      return;
    }
    const outgoing = outgoingRequest(base, target, this.#env.local, {
      recordRoute: this.#options.recordRoute,
    });
    if (outgoing === undefined) {
      if (!this.#nextFlow(branch)) this.#branchFinal(branch, this.#localResponse(480, 'Unreachable Contact'));
      return;
    }
    branch.attemptWith(undefined);
    const transaction = this.#env.transactions.sendRequest(
      outgoing.request,
      outgoing.target,
      this.#clientHandler(branch),
    );
    // A flow that failed at once may have moved the branch on to the next one already: that attempt stays.
    if (branch.attempt === undefined) branch.attemptWith({ transaction, request: outgoing.request });
  }

  /** DNS first (RFC 3263 §4), then an attempt per target found until one answers (RFC 3263 §4.3). */
  #startLocated(
    branch: Branch,
    base: SipRequest,
    target: NetworkTarget,
    hop: SipUri,
    locator: ServerLocator,
  ): void {
    const { local } = this.#env;
    const failover = new FailoverRequest({
      transactions: this.#env.transactions,
      clock: this.#env.clock,
      budgetMs: this.#env.failoverBudgetMs ?? DEFAULT_BUDGET_MS,
      prepare: (sendTarget) =>
        outgoingRequest(base, target, local, { recordRoute: this.#options.recordRoute, sendTarget })?.request,
      handler: this.#clientHandler(branch),
      onAttempt: (transaction, request) => {
        branch.stopTimerC();
        branch.attemptWith({ transaction, request });
      },
    });
    branch.setFailover(failover);
    const transports = LOCATED_TRANSPORTS.filter((transport) => local.pointFor(transport) !== undefined);
    locator.locate(hop, transports).then(
      (targets) => {
        if (branch.cancel !== 'none') this.#branchFinal(branch, this.#localResponse(487));
        else if (targets.length === 0)
          this.#branchFinal(branch, this.#localResponse(480, 'Unresolvable Destination'));
        else failover.start(targets);
      },
      () => {
        this.#branchFinal(branch, this.#localResponse(500));
      },
    );
  }

  #clientHandler(branch: Branch): ClientTransactionHandler {
    return {
      onResponse: (response, source) => {
        this.#onResponse(branch, response, source);
      },
      onFailure: (reason) => {
        if (triesNextFlow(reason) && this.#nextFlow(branch)) return;
        const failure = failureStatus(reason);
        this.#branchFinal(branch, this.#localResponse(failure.status, failure.reason));
      },
    };
  }

  #startLocal(branch: Branch, base: SipRequest, target: LocalTarget): void {
    target.handle(base).then(
      (answer) => {
        this.#branchFinal(branch, this.#localResponse(answer.status, answer.reason));
      },
      (error: unknown) => {
        this.#env.onLocalError?.(error, target);
        this.#branchFinal(branch, this.#localResponse(500));
      },
    );
  }

  /** RFC 8599 §5.6: the branch waits for its device; 480 when it does not come (or 487 once cancelled). */
  #startDeferred(branch: Branch, base: SipRequest, target: DeferredTarget): void {
    this.#asleep.add(branch);
    target.resolve().then(
      (network) => {
        this.#asleep.delete(branch);
        // Cancelled meanwhile: the branch has its 487 already.
        if (branch.state === 'completed') return;
        if (branch.cancel !== 'none') this.#branchFinal(branch, this.#localResponse(487));
        else if (network === undefined) this.#branchFinal(branch, this.#localResponse(480));
        else {
          branch.setFallbacks(network.fallbacks ?? []);
          this.#startNetwork(branch, base, network);
        }
      },
      (error: unknown) => {
        this.#asleep.delete(branch);
        this.#env.onLocalError?.(error, target);
        this.#branchFinal(branch, this.#localResponse(500));
      },
    );
  }

  #onResponse(branch: Branch, response: SipResponse, source: MessageSource): void {
    popVia(response.headers);
    if (response.status < 200) {
      this.#onProvisional(branch, response, source);
      return;
    }
    branch.stopTimerC();
    if (triesNextFlow(response) && this.#nextFlow(branch)) return;
    if (response.status < 300 && !this.#isInvite) this.#startWaiting();
    if (response.status < 300 && !this.#isInvite && this.#gated()) {
      branch.complete(response);
      this.#held ??= { response, source };
      return;
    }
    if (response.status < 300) {
      // Every 2xx of an INVITE goes up (each may set up a dialog); a non-INVITE has one final only.
      const first = branch.complete(response);
      if (this.#isInvite || !this.#forwardedFinal) this.#forward(response, source);
      if (first && this.#isInvite) this.#cancelOthers(branch);
      this.#forwardedFinal = true;
      return;
    }
    if (response.status >= 600 && this.#isInvite) this.#cancelOthers(branch);
    this.#branchFinal(branch, response);
  }

  #onProvisional(branch: Branch, response: SipResponse, source: MessageSource): void {
    if (branch.cancel === 'wanted') this.#sendCancel(branch);
    if (this.#isInvite) {
      branch.restartTimerC(this.#env.clock, TIMER_C_MS, () => {
        this.#cancelBranch(branch);
      });
    }
    // 100 Trying is hop-by-hop (RFC 3261 §16.7 step 5).
    if (response.status !== 100 && !this.#forwardedFinal) this.#forward(response, source);
  }

  #branchFinal(branch: Branch, response: SipResponse): void {
    if (!branch.complete(response)) return;
    if (this.#forwardedFinal) return;
    const failed = this.#branches.find((b) => b.gatesFinal && b.final !== undefined && b.final.status >= 500);
    if (failed?.final !== undefined && !this.#gated()) {
      this.#forwardedFinal = true;
      this.#server.respond(failed.final);
      return;
    }
    if (this.#held !== undefined && !this.#gated()) {
      this.#forwardedFinal = true;
      this.#forward(this.#held.response, this.#held.source);
      return;
    }
    if (!this.#isInvite && response.status < 300 && !this.#gated()) {
      // A local 2xx goes up at once, as a device's does.
      this.#forwardedFinal = true;
      this.#server.respond(response);
      return;
    }
    if (this.#branches.some((b) => b.state === 'proceeding')) return;
    const finals = this.#branches.map((b) => b.final).filter((r): r is SipResponse => r !== undefined);
    const best = bestResponse(finals) ?? this.#localResponse(500);
    this.#forwardedFinal = true;
    // A cancelled INVITE whose branches ended without a 487 of their own (Timer B, say) still gets one.
    const answer = this.#cancelled && this.#generated.has(best) ? this.#localResponse(487) : best;
    this.#server.respond(answer);
  }

  /** Whether a gating branch has started and yet to answer. */
  #gated(): boolean {
    return this.#branches.some((b) => b.gating);
  }

  /** A network 2xx: the waiting (afterSuccess) branches start, once. */
  #startWaiting(): void {
    const base = this.#base;
    if (base === undefined) return;
    for (const branch of this.#branches) {
      const target = branch.start();
      if (target !== undefined) this.#startLocal(branch, base, target);
    }
  }

  #forward(response: SipResponse, source: MessageSource): void {
    this.#env.onDownstreamResponse?.(response, source);
    this.#server.respond(response);
  }

  #cancelOthers(except: Branch): void {
    for (const branch of this.#branches) if (branch !== except) this.#cancelBranch(branch);
  }

  #cancelBranch(branch: Branch): void {
    if (!this.#isInvite || branch.state !== 'proceeding') return;
    branch.wantCancel();
    // Still being located: the branch ends with a 487 once DNS has answered.
    const attempt = branch.attempt;
    if (attempt === undefined) return;
    // RFC 3261 §9.1: a CANCEL may only follow a provisional response; until then it waits.
    if (attempt.transaction.answered && branch.cancel === 'wanted') this.#sendCancel(branch);
  }

  #sendCancel(branch: Branch): void {
    const attempt = branch.attempt;
    if (attempt === undefined) return;
    branch.cancelSent();
    this.#env.transactions.sendRequest(cancelFor(attempt.request), attempt.transaction.target, {
      onResponse: () => undefined,
      onFailure: () => undefined,
    });
  }

  #localResponse(status: number, reason?: string): SipResponse {
    const response = createResponse(this.#server.request, status, reason, {
      toTag: (this.#toTag ??= generateTag()),
    });
    this.#generated.add(response);
    return response;
  }
}

/** What a branch that got no response counts as: 408 on timeout, 430 for a failed flow (RFC 5626 §5.3), else 480. */
function failureStatus(failure: ClientFailure): { status: number; reason?: string } {
  if (failure === 'timeout') return { status: 408 };
  if (failure === 'flow-failed') return { status: 430, reason: 'Flow Failed' };
  return { status: 480 };
}

function isAfterSuccess(target: ForwardTarget): boolean {
  return target.kind === 'local' && target.afterSuccess === true;
}
