/**
 * Whether `missive serve` should be sent traffic (GET /ready on the web port and the metrics address):
 * only once every listener is up, not while it is stopping, and only while the store answers. /health says
 * the process and its store are alive; /ready also says the start is complete, so that a load balancer or
 * an orchestrator adds the instance after the start and takes it out when SIGTERM begins the stop.
 */
export type ReadinessState = 'starting' | 'ready' | 'stopping';

export class Readiness {
  #state: ReadinessState = 'starting';
  #storeAnswers: () => Promise<boolean> = () => Promise.resolve(false);

  get state(): ReadinessState {
    return this.#state;
  }

  /** Every listener is up; `storeAnswers` says whether the store answers now (web/health.ts). */
  started(storeAnswers: () => Promise<boolean>): void {
    if (this.#state !== 'starting') return;
    this.#storeAnswers = storeAnswers;
    this.#state = 'ready';
  }

  /** The stop has begun: not ready again. */
  stopping(): void {
    this.#state = 'stopping';
  }

  async ready(): Promise<boolean> {
    return this.#state === 'ready' && (await this.#storeAnswers());
  }
}
