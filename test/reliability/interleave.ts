/**
 * Makes a race certain instead of likely, on the write side: the next `count` transactions whose
 * label (the audit action they carry, see transactionLabel) matches wait for each other (at most
 * `timeoutMs`), so every racer has read the same state and computed its change before any of them
 * commits. Retries after a lost version check pass straight through (the gate is used up).
 *
 *   store.holdWrites('cohort.submitted', 50);
 *   const r = await race(50, () => h.call('POST', `/v1/cohorts/${id}/submit`, { token }));
 *   expect(store.releasedTogether).toBe(50);   // all 50 wrote at once: a real race
 */
import type { WriteOp } from '../../shared/db/store.js';
import { VersionConflict } from '../../shared/db/cohorts.js';
import { GatedStore, transactionLabel } from '../support/world.js';

interface WriteGate {
  match: (label: string) => boolean;
  count: number;
  waiting: (() => void)[];
  released: number;
}

export class InterleavingStore extends GatedStore {
  private writeGate: WriteGate | undefined;
  /** How many writes the last gate held and released at once. */
  releasedTogether = 0;
  private losing: { label: string; remaining: number } | undefined;
  /** Version conflicts made up by loseWrites() so far. */
  lost = 0;

  /**
   * The next `times` writes carrying `label` lose the cohort's version check (as if another change
   * had just committed) without reaching the table: the service's retry budget, deterministically.
   */
  loseWrites(label: string, times: number): void {
    this.losing = { label, remaining: times };
    this.lost = 0;
  }

  holdWrites(label: string | ((label: string) => boolean), count: number, timeoutMs = 20_000): void {
    const match = typeof label === 'string' ? (l: string) => l === label : label;
    const gate: WriteGate = { match, count, waiting: [], released: 0 };
    this.writeGate = gate;
    this.releasedTogether = 0;
    // A fallback only: on a loaded machine the racers may take a while to reach their write.
    setTimeout(() => this.openWrites(gate), timeoutMs).unref();
  }

  private openWrites(gate: WriteGate) {
    if (this.writeGate === gate) {
      this.writeGate = undefined;
      this.releasedTogether = gate.waiting.length;
    }
    for (const go of gate.waiting.splice(0)) go();
  }

  override async transact(ops: WriteOp[], attempts?: number): Promise<void> {
    const losing = this.losing;
    if (losing && losing.remaining > 0 && transactionLabel(ops) === losing.label) {
      losing.remaining--;
      this.lost++;
      throw new VersionConflict();
    }
    const gate = this.writeGate;
    if (gate && gate.match(transactionLabel(ops))) {
      await new Promise<void>((resolve) => {
        gate.waiting.push(resolve);
        if (gate.waiting.length >= gate.count) this.openWrites(gate);
      });
    }
    return super.transact(ops, attempts);
  }
}
