// Generates RSA-2048 blind-signature keys for KeyGenerationPool (keys.ts), one per request.
//
// Plain JavaScript on purpose: Node 20 refuses a worker entry point ending in .ts ("Unknown file
// extension") even when the parent runs under `node --import tsx`, so a .ts worker would need
// a loader shim. This file needs nothing but Node, in tests, in the bench and in the server.
//
// The synchronous generator is right here: it blocks this thread only, and it keeps the work
// off libuv's small shared thread pool (file I/O, async crypto), which the server still needs.

import { generateKeyPairSync } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';

if (!parentPort) throw new Error('keygen.worker.mjs must run as a worker thread');
const port = parentPort;

// Lower this thread's priority (nice 10), so that on a machine whose cores are all busy making
// keys, request handling on the main thread still gets the CPU first. Linux applies
// setpriority() to a thread id alone; /proc/thread-self names this thread. Best effort: where
// either is missing, the worker just runs at normal priority.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, 10);
} catch {
  // not Linux, or not allowed: keep the default priority
}

port.on('message', (/** @type {{ job: number }} */ { job }) => {
  try {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicExponent: 65537,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    port.postMessage({ job, publicKeySpki: publicKey, privateKeyPkcs8: privateKey });
    // postMessage has copied it; do not leave this thread's copy lying in the heap.
    privateKey.fill(0);
  } catch (err) {
    port.postMessage({ job, error: err instanceof Error ? err.message : String(err) });
  }
});
