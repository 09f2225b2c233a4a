import { ParleyError } from '../core/errors.js';

/**
 * What a vendor adapter is given at start() (the wired node, its channel or desk reports, …), shared by every
 * adapter with a lifecycle. Read before start() it is a 503 UNAVAILABLE: a webhook or a delivery can reach an
 * instance that is not started yet, and the vendor (or the outbox) retries a 503.
 */
export class Started<T> {
  private value: T | undefined;

  /** `what` names the instance in the error: "The <what> is not started yet." (e.g. `sms1 channel`). */
  constructor(private readonly what: string) {}

  set(value: T): void {
    this.value = value;
  }

  get(): T {
    if (this.value === undefined) throw new ParleyError('UNAVAILABLE', `The ${this.what} is not started yet.`);
    return this.value;
  }
}
