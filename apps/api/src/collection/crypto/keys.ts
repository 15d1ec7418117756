// Signing keys for collection cells: one RSA-2048 key pair per (wave, cell), RFC 9474
// RSABSSA-SHA384-PSS-Randomized (anonymity.md section 4.1). A key id names a public key in the
// wave manifest, so anyone can check that one key serves a whole cell.
//
// Generating a key costs about 130 ms of CPU and a wave needs about 4,000 of them, so it runs off
// the request path: generateCellKey for one key (libuv's thread pool), KeyGenerationPool for a
// whole wave (its own worker threads, with progress and cancellation).

import { createHash, generateKeyPair } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { toBase64url } from './encoding.ts';

/** The public key (SPKI DER), the private key (PKCS #8 DER) and the key id of one cell. */
export interface CellKeyPair {
  publicKeySpki: Buffer;
  privateKeyPkcs8: Buffer;
  keyId: string;
}

/** The RSA parameters of every cell key (anonymity.md 4.1: RSA-2048). */
export const CELL_KEY_BITS = 2048;
const PUBLIC_EXPONENT = 65537;

/** A key id: base64url of the first 16 bytes of SHA-256(SPKI DER) ("Wire formats"). */
export function keyIdOf(spkiDer: Buffer): string {
  return toBase64url(createHash('sha256').update(spkiDer).digest().subarray(0, 16));
}

/** Generates one cell key pair on libuv's thread pool; the event loop stays free. */
export function generateCellKey(): Promise<CellKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: CELL_KEY_BITS,
        publicExponent: PUBLIC_EXPONENT,
        publicKeyEncoding: { type: 'spki', format: 'der' },
        privateKeyEncoding: { type: 'pkcs8', format: 'der' },
      },
      (err, publicKeySpki, privateKeyPkcs8) => {
        if (err) reject(err);
        else resolve({ publicKeySpki, privateKeyPkcs8, keyId: keyIdOf(publicKeySpki) });
      },
    );
  });
}

/** Why a generate() run stopped early: its AbortSignal fired, or the pool was closed. */
export class KeyGenerationStopped extends Error {
  constructor(readonly reason: 'cancelled' | 'pool_closed') {
    super(reason === 'cancelled' ? 'Key generation was cancelled.' : 'The key pool was closed.');
    this.name = 'KeyGenerationStopped';
  }
}

interface Run {
  total: number;
  done: number;
  results: CellKeyPair[];
  onProgress: ((done: number, total: number) => void) | undefined;
  resolve(keys: CellKeyPair[]): void;
  reject(err: unknown): void;
  finished: boolean;
  removeAbortListener(): void;
}

interface Job {
  id: number;
  run: Run;
  index: number;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

type WorkerReply =
  | { job: number; publicKeySpki: Uint8Array; privateKeyPkcs8: Uint8Array }
  | { job: number; error: string };

const WORKER_URL = new URL('./keygen.worker.mjs', import.meta.url);

const asBuffer = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Generates many cell keys on a few worker threads, so that a wave's 4,000 keys never hold up
 * requests. Each worker makes one key at a time; the main thread only hands out jobs and hashes
 * public keys. Workers start when there is work and stop when the queue is empty, so an idle
 * pool holds no threads. Runs share the workers in arrival order.
 */
/** What a wave runner needs to get signing keys: the worker pool, or the demo history's set. */
export interface KeySource {
  generate(
    count: number,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<CellKeyPair[]>;
  close(): Promise<void>;
}

export class KeyGenerationPool implements KeySource {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly runs = new Set<Run>();
  private nextJobId = 1;
  private closed = false;

  /** `workers`: threads to use (default 2: one per core of the reference machine). */
  constructor(options: { workers?: number } = {}) {
    const workers = options.workers ?? 2;
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError('workers must be >= 1');
    this.size = workers;
  }

  /**
   * Generates `count` key pairs, in order. `onProgress(done, total)` is called after each key.
   * Rejects with KeyGenerationStopped when `signal` aborts or the pool closes; keys still being
   * made for a stopped run are thrown away when they arrive.
   */
  generate(
    count: number,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<CellKeyPair[]> {
    if (!Number.isInteger(count) || count < 0)
      throw new RangeError('count must be an integer >= 0');
    if (this.closed) return Promise.reject(new KeyGenerationStopped('pool_closed'));
    if (signal?.aborted) return Promise.reject(new KeyGenerationStopped('cancelled'));
    if (count === 0) return Promise.resolve([]);

    return new Promise<CellKeyPair[]>((resolve, reject) => {
      const onAbort = () => this.stop(run, new KeyGenerationStopped('cancelled'));
      const run: Run = {
        total: count,
        done: 0,
        results: new Array<CellKeyPair>(count),
        onProgress,
        resolve,
        reject,
        finished: false,
        removeAbortListener: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.runs.add(run);
      for (let index = 0; index < count; index++) {
        this.queue.push({ id: this.nextJobId++, run, index });
      }
      this.dispatch();
    });
  }

  /** Stops every run (KeyGenerationStopped 'pool_closed') and ends the worker threads. */
  async close(): Promise<void> {
    this.closed = true;
    for (const run of [...this.runs]) this.stop(run, new KeyGenerationStopped('pool_closed'));
    await this.shrink(true);
  }

  /** Worker threads alive right now (for tests and status pages). */
  get threads(): number {
    return this.slots.length;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === null);
      if (!slot) {
        if (this.slots.length >= this.size) break;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.postMessage({ job: job.id });
    }
    if (this.queue.length === 0) void this.shrink(false);
  }

  private spawn(): Slot {
    // execArgv: [] because the worker is plain JavaScript: it needs no --import tsx (startup
    // is faster without it) and behaves the same however the parent was started.
    const worker = new Worker(WORKER_URL, { execArgv: [] });
    const slot: Slot = { worker, job: null };
    worker.on('message', (reply: WorkerReply) => this.receive(slot, reply));
    worker.on('error', (err) => this.crashed(slot, err));
    worker.on('exit', (code) => {
      if (this.slots.includes(slot))
        this.crashed(slot, new Error(`keygen worker exited (${code})`));
    });
    this.slots.push(slot);
    return slot;
  }

  private receive(slot: Slot, reply: WorkerReply): void {
    const job = slot.job;
    slot.job = null;
    if (job && job.id === reply.job && !job.run.finished) {
      const { run } = job;
      if ('error' in reply) {
        this.stop(run, new Error(`key generation failed: ${reply.error}`));
      } else {
        const publicKeySpki = asBuffer(reply.publicKeySpki);
        run.results[job.index] = {
          publicKeySpki,
          privateKeyPkcs8: asBuffer(reply.privateKeyPkcs8),
          keyId: keyIdOf(publicKeySpki),
        };
        run.done++;
        try {
          run.onProgress?.(run.done, run.total);
        } catch (err) {
          this.stop(run, err);
        }
        if (run.done === run.total && !run.finished) {
          this.finish(run);
          run.resolve(run.results);
        }
      }
    }
    this.dispatch();
  }

  /** A worker died: fail closed. Every run in progress fails; the caller may simply retry. */
  private crashed(slot: Slot, err: Error): void {
    this.slots.splice(this.slots.indexOf(slot), 1);
    for (const run of [...this.runs]) this.stop(run, err);
    void slot.worker.terminate();
  }

  private stop(run: Run, err: unknown): void {
    if (run.finished) return;
    this.finish(run);
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.run === run) this.queue.splice(i, 1);
    }
    run.reject(err);
    if (this.queue.length === 0) void this.shrink(false);
  }

  private finish(run: Run): void {
    run.finished = true;
    run.removeAbortListener();
    this.runs.delete(run);
  }

  /** Ends idle workers (all workers with `all`) once no work is waiting. */
  private async shrink(all: boolean): Promise<void> {
    const leaving = this.slots.filter((s) => all || (s.job === null && this.queue.length === 0));
    for (const slot of leaving) this.slots.splice(this.slots.indexOf(slot), 1);
    await Promise.all(leaving.map((s) => s.worker.terminate()));
  }
}
