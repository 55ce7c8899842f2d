/**
 * Enumerates every combination of a handler's `choose` decisions: the handler
 * is run once per combination, `choose` answers from the current combination
 * and records each choice's arity, and `advance` moves to the next one like an
 * odometer over the choices the last run made (a later choice may depend on an
 * earlier one, so arities are learnt run by run).
 */
export class ChoiceOdometer {
  private choices = new Int32Array(16);
  private count = 0;
  private arity = new Int32Array(16);
  private pos = 0;

  /** Back to the first combination. */
  reset(): void {
    this.count = 0;
    this.pos = 0;
  }

  /** Before each run of the handler. */
  startRun(): void {
    this.pos = 0;
  }

  /** The decision for the next `choose` among `n` options. */
  choose(n: number): number {
    const at = this.pos++;
    if (at >= this.arity.length) {
      this.arity = grown(this.arity);
      this.choices = grown(this.choices);
    }
    const c = at < this.count ? this.choices[at]! : 0;
    this.arity[at] = n;
    return c < n ? c : 0;
  }

  /** Moves to the next combination after a run; false when the run just made was the last. */
  advance(): boolean {
    let j = this.pos - 1;
    while (j >= 0 && (j < this.count ? this.choices[j]! : 0) + 1 >= this.arity[j]!) j--;
    if (j < 0) return false;
    for (let z = this.count; z <= j; z++) this.choices[z] = 0;
    this.count = j + 1;
    this.choices[j] = this.choices[j]! + 1;
    return true;
  }
}

function grown(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
