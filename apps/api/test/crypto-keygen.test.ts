import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { blindSign } from '../src/collection/crypto/blind-sign.ts';
import {
  KeyGenerationPool,
  KeyGenerationStopped,
  keyIdOf,
  type CellKeyPair,
} from '../src/collection/crypto/keys.ts';

const keygen = suite('crypto: key generation pool');

/** Each pair is a working RSA-2048 pair with its own key id. */
function assertWorkingPairs(pairs: CellKeyPair[]) {
  assert.is(new Set(pairs.map((p) => p.keyId)).size, pairs.length);
  for (const pair of pairs) {
    assert.is(pair.keyId, keyIdOf(pair.publicKeySpki));
    const publicKey = createPublicKey({ key: pair.publicKeySpki, format: 'der', type: 'spki' });
    const privateKey = createPrivateKey({
      key: pair.privateKeyPkcs8,
      format: 'der',
      type: 'pkcs8',
    });
    assert.is(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    const m = randomBytes(256);
    m[0] = 0;
    assert.is(blindSign(privateKey, publicKey, m).length, 256);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return assert.unreachable('expected a rejection');
}

keygen('generates keys in worker threads, reports progress, and lets the threads go', async () => {
  const pool = new KeyGenerationPool({ workers: 2 });
  const progress: [number, number][] = [];
  const pairs = await pool.generate(5, (done, total) => progress.push([done, total]));
  assert.is(pairs.length, 5);
  assertWorkingPairs(pairs);
  assert.equal(progress, [
    [1, 5],
    [2, 5],
    [3, 5],
    [4, 5],
    [5, 5],
  ]);
  await sleep(50);
  assert.is(pool.threads, 0, 'an idle pool holds no threads');
  assert.equal(await pool.generate(0), []);
  await pool.close();
});

keygen('keeps the event loop responsive while 20 keys are generated', async () => {
  const pool = new KeyGenerationPool({ workers: 2 });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let ticks = 0;
  let longestGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    ticks++;
  }, 5);
  delay.enable();
  const eluBefore = performance.eventLoopUtilization();
  const started = performance.now();
  let maxThreads = 0;
  const ticksAtKey: number[] = [];
  const pairs = await pool.generate(20, () => {
    maxThreads = Math.max(maxThreads, pool.threads);
    ticksAtKey.push(ticks);
  });
  const elapsed = performance.now() - started;
  const { utilization } = performance.eventLoopUtilization(eluBefore);
  delay.disable();
  clearInterval(timer);
  await pool.close();

  assert.is(pairs.length, 20);
  assertWorkingPairs(pairs);
  assert.is(maxThreads, 2);
  const maxDelayMs = delay.max / 1e6;
  console.log(
    `    20 keys in ${elapsed.toFixed(0)} ms on 2 workers; ${ticks} ticks of a 5 ms timer, ` +
      `longest gap ${longestGap.toFixed(1)} ms, event-loop delay max ${maxDelayMs.toFixed(1)} ms, ` +
      `event-loop utilisation ${(utilization * 100).toFixed(1)}%`,
  );
  // A liveness check, not a benchmark (bench/signing.ts measures; no wall-clock bound here, it
  // would fail on a busy machine). Utilisation counts only time the main thread spent running
  // callbacks, so it stays low however busy the machine is, but 20 keys made on the main
  // thread (~130 ms each) would push it towards 100%. And the timer keeps firing between keys:
  // keys made on the main thread would leave it no turn until the last one.
  assert.ok(utilization < 0.25, `event loop busy ${(utilization * 100).toFixed(1)}% of the time`);
  assert.ok(ticksAtKey.at(-1)! > ticksAtKey[0]!, 'the timer fired while keys were being made');
});

keygen('a cancelled run stops early, rejects, and later results are dropped', async () => {
  const pool = new KeyGenerationPool({ workers: 2 });
  const controller = new AbortController();
  let calls = 0;
  const run = pool.generate(
    200,
    (done) => {
      calls = done;
      if (done === 3) controller.abort();
    },
    controller.signal,
  );
  const err = await rejection(run);
  assert.instance(err, KeyGenerationStopped);
  assert.is((err as KeyGenerationStopped).reason, 'cancelled');
  assert.is(calls, 3);
  await sleep(1500); // long enough for the in-flight keys to arrive
  assert.is(calls, 3, 'no progress after cancellation');
  assert.is(pool.threads, 0);
  // The pool still works afterwards.
  assert.is((await pool.generate(1)).length, 1);
  // A signal that has already fired stops the run before it starts.
  assert.instance(
    await rejection(pool.generate(5, undefined, AbortSignal.abort())),
    KeyGenerationStopped,
  );
  await pool.close();
});

keygen('runs share the workers and close() stops whatever is left', async () => {
  const pool = new KeyGenerationPool({ workers: 2 });
  const [one, two] = await Promise.all([pool.generate(3), pool.generate(2)]);
  assert.is(one.length, 3);
  assert.is(two.length, 2);
  assertWorkingPairs([...one, ...two]);

  const long = rejection(pool.generate(100));
  await sleep(100);
  await pool.close();
  const err = await long;
  assert.instance(err, KeyGenerationStopped);
  assert.is((err as KeyGenerationStopped).reason, 'pool_closed');
  assert.is(pool.threads, 0);
  assert.instance(await rejection(pool.generate(1)), KeyGenerationStopped);
});

keygen('refuses nonsense sizes', () => {
  assert.throws(() => new KeyGenerationPool({ workers: 0 }), RangeError);
  const pool = new KeyGenerationPool();
  assert.is(pool.size, 2);
  assert.throws(() => void pool.generate(-1), RangeError);
  assert.throws(() => void pool.generate(1.5), RangeError);
});

keygen.run();
