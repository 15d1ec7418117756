import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { answersAad, open, seal } from '../src/collection/crypto/seal.ts';

const sealing = suite('crypto: sealed answers (AES-256-GCM)');

const key = randomBytes(32);
const aad = answersAad('wave-1', 'cell-1');
const plaintext = Buffer.from(JSON.stringify([{ itemId: 'psy-safe-1', value: 4 }]));

sealing('opens what it sealed: IV || ciphertext || tag', () => {
  const sealed = seal(key, plaintext, aad);
  assert.is(sealed.length, 12 + plaintext.length + 16);
  assert.ok(open(key, sealed, aad).equals(plaintext));
  assert.ok(open(key, seal(key, Buffer.alloc(0), aad), aad).equals(Buffer.alloc(0)));
  assert.is(aad.toString(), 'wave-1|cell-1');
});

sealing('seals the same answers differently each time (random IV)', () => {
  assert.not.ok(seal(key, plaintext, aad).equals(seal(key, plaintext, aad)));
});

sealing('refuses a changed IV, ciphertext or tag, and a truncated value', () => {
  const sealed = seal(key, plaintext, aad);
  for (const at of [0, 11, 12, 12 + plaintext.length - 1, sealed.length - 16, sealed.length - 1]) {
    const changed = Buffer.from(sealed);
    changed[at]! ^= 0x01;
    assert.throws(() => open(key, changed, aad), undefined, `byte ${at}`);
  }
  assert.throws(() => open(key, sealed.subarray(0, sealed.length - 1), aad));
  assert.throws(() => open(key, sealed.subarray(0, 27), aad));
  assert.throws(() => open(key, Buffer.alloc(0), aad));
});

sealing('refuses another wave or cell (AAD) and another key', () => {
  const sealed = seal(key, plaintext, aad);
  assert.throws(() => open(key, sealed, answersAad('wave-1', 'cell-2')));
  assert.throws(() => open(key, sealed, answersAad('wave-2', 'cell-1')));
  assert.throws(() => open(key, sealed, Buffer.alloc(0)));
  assert.throws(() => open(randomBytes(32), sealed, aad));
});

sealing('refuses a data key that is not 32 bytes', () => {
  assert.throws(() => seal(randomBytes(16), plaintext, aad), RangeError);
  assert.throws(() => open(randomBytes(31), seal(key, plaintext, aad), aad), RangeError);
});

sealing.run();
