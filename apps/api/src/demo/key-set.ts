import { KeyGenerationPool, type CellKeyPair, type KeySource } from '../collection/crypto/keys.ts';

/**
 * Signing keys for the demo's past waves. Generating a fresh RSA-2048 key for every cell of
 * six waves was nearly all of the demo's start-up (over 500 keys, 40 s on a quiet machine);
 * the history is simulated, so its waves draw on one set of real keys instead: distinct within
 * a wave (every cell of a wave still has its own key, as the manifest check expects), reused
 * from one past wave to the next. Real waves, including the demo's current one, always get
 * fresh keys from the server's own pool.
 */
export class DemoKeySet implements KeySource {
  /** Position i of a round gets key i; a key is a promise while the pool is making it. */
  private readonly keys: Promise<CellKeyPair>[] = [];
  private next = 0;

  constructor(private readonly pool: KeyGenerationPool) {}

  /** Starts a new round of waves: keys are handed out from the first one again. */
  nextRound(): void {
    this.next = 0;
  }

  async generate(
    count: number,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<CellKeyPair[]> {
    // Positions are claimed before anything is awaited: waves prepared together ask at once.
    const start = this.next;
    this.next += count;
    const missing = this.next - this.keys.length;
    if (missing > 0) {
      const fresh = this.pool.generate(missing, undefined, signal);
      for (let i = 0; i < missing; i++) this.keys.push(fresh.then((keys) => keys[i]!));
    }
    const handed = await Promise.all(this.keys.slice(start, start + count));
    onProgress?.(count, count);
    return handed;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
