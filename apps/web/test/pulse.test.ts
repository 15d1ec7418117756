import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  constants,
  createHash,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  verify,
} from 'node:crypto';
import type { OfficerItem } from '@teamspiegel/contracts';
import {
  fromBase64url,
  keyIdOf,
  obtainToken,
  PulseError,
  randomNonce,
  submitResponse,
  SUBMIT_PATH,
  toBase64url,
  tokenMessage,
  tokenStore,
  type FinishedToken,
} from '../src/lib/pulse/token.ts';
import { answeredCount, buildAnswers, DONT_KNOW, lastAnswerDay } from '../src/lib/pulse/answers.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spki = publicKey.export({ type: 'spki', format: 'der' });
const keyId = createHash('sha256').update(spki).digest().subarray(0, 16).toString('base64url');
const wave = {
  waveId: 'wave-1',
  cellId: 'cell-1',
  keyId,
  publicKey: spki.toString('base64url'),
};

/** The server's side, as in anonymity.md: raw RSA with the mandatory self-check. */
function serverSign(blindedMessage: string): string {
  const blinded = Buffer.from(blindedMessage, 'base64url');
  const s = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, blinded);
  const back = publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, s);
  assert.ok(back.equals(blinded), 'self-check');
  return s.toString('base64url');
}

test('base64url has no padding and round-trips every length', () => {
  for (let n = 0; n < 40; n++) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
    const text = toBase64url(bytes);
    assert.not.match(text, /[=+/]/);
    assert.equal([...fromBase64url(text)], [...bytes]);
    assert.is(text, Buffer.from(bytes).toString('base64url'));
  }
  assert.throws(() => fromBase64url('ab=='));
  assert.throws(() => fromBase64url('a'));
});

test('a nonce is 32 random bytes in base64url, different every time', () => {
  const a = randomNonce();
  assert.is(a.length, 43);
  assert.is(fromBase64url(a).length, 32);
  assert.is.not(a, randomNonce());
  assert.is(tokenMessage('w', 'c', 'k', 'n'), 'teamspiegel/v1|w|c|k|n');
});

test('the key id is the first 16 bytes of SHA-256 over the SPKI', async () => {
  assert.is(await keyIdOf(fromBase64url(wave.publicKey)), keyId);
});

test('a token is blinded, signed blind by the server, finalized, and verifies as RSA-PSS', async () => {
  let blindedSeen = '';
  const token = await obtainToken(wave, (blinded) => {
    blindedSeen = blinded;
    return Promise.resolve(serverSign(blinded));
  });
  assert.is(Buffer.from(blindedSeen, 'base64url').length, 256);
  assert.is(token.waveId, 'wave-1');
  assert.is(token.cellId, 'cell-1');
  assert.is(token.keyId, keyId);
  const prepared = Buffer.from(token.message, 'base64url');
  const signature = Buffer.from(token.signature, 'base64url');
  assert.is(signature.length, 256);
  // 32 random bytes, then the message with a 43-character nonce.
  const text = prepared.subarray(32).toString('utf8');
  const parts = text.split('|');
  assert.equal(parts.slice(0, 4), ['teamspiegel/v1', 'wave-1', 'cell-1', keyId]);
  assert.is(parts[4]?.length, 43);
  // The server never saw the message: the blinded value differs from everything it verifies.
  assert.is.not(blindedSeen, token.message);
  assert.ok(
    verify(
      'sha384',
      prepared,
      { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
      signature,
    ),
  );
});

test('a key that does not match its key id is refused before anything is sent', async () => {
  let asked = false;
  try {
    await obtainToken({ ...wave, keyId: 'AAAAAAAAAAAAAAAAAAAAAA' }, () => {
      asked = true;
      return Promise.resolve('');
    });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, PulseError);
    assert.is((e as PulseError).code, 'invalid_token');
  }
  assert.not.ok(asked);
});

test('a wrong blind signature is refused', async () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // The other key's modulus may be smaller than the blinded value: reduce it first, so this
  // fake server always answers with a signature, just under the wrong key.
  const n = BigInt(
    `0x${Buffer.from(other.publicKey.export({ format: 'jwk' }).n!, 'base64url').toString('hex')}`,
  );
  const underOtherKey = (blinded: string) => {
    const m = BigInt(`0x${Buffer.from(blinded, 'base64url').toString('hex')}`) % n;
    return Buffer.from(m.toString(16).padStart(512, '0'), 'hex');
  };
  try {
    await obtainToken(wave, (blinded) =>
      Promise.resolve(
        privateDecrypt(
          { key: other.privateKey, padding: constants.RSA_NO_PADDING },
          underOtherKey(blinded),
        ).toString('base64url'),
      ),
    );
    assert.unreachable();
  } catch (e) {
    assert.is((e as PulseError).code, 'invalid_token');
  }
});

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

const finished: FinishedToken = {
  waveId: 'wave-1',
  cellId: 'cell-1',
  keyId,
  message: 'bWVzc2FnZQ',
  signature: 'c2ln',
};

test('the token store keeps finished tokens per wave and nothing else', () => {
  const storage = memoryStorage();
  const store = tokenStore(storage);
  assert.is(store.load('wave-1'), null);
  store.save(finished);
  assert.equal(store.load('wave-1'), finished);
  assert.is(store.load('wave-2'), null);
  assert.equal([...storage.map.keys()], ['teamspiegel.pulse-token.wave-1']);
  // A fresh store on the same storage (a reload in the same tab) finds it again.
  assert.equal(tokenStore(storage).load('wave-1'), finished);
  store.forget('wave-1');
  assert.is(store.load('wave-1'), null);
  assert.is(storage.map.size, 0);
});

test('the token store ignores junk and survives blocked storage', () => {
  const storage = memoryStorage();
  storage.map.set('teamspiegel.pulse-token.wave-1', '{"waveId":"wave-2"}');
  assert.is(tokenStore(storage).load('wave-1'), null);
  storage.map.set('teamspiegel.pulse-token.wave-1', 'not json');
  assert.is(tokenStore(storage).load('wave-1'), null);
  const blocked = {
    getItem: () => {
      throw new Error('blocked');
    },
    setItem: () => {
      throw new Error('blocked');
    },
    removeItem: () => {
      throw new Error('blocked');
    },
  };
  const store = tokenStore(blocked);
  store.save(finished);
  assert.equal(store.load('wave-1'), finished, 'kept in memory for this page');
  assert.equal(tokenStore(null).load('wave-1'), null);
});

test('submission is anonymous: no cookies, no CSRF header, the wire format of the spec', async () => {
  let seen: { url: string; init: RequestInit } | null = null;
  const fetcher = ((url: string, init: RequestInit) => {
    seen = { url, init };
    return Promise.resolve(new Response('{"status":"received"}', { status: 202 }));
  }) as typeof fetch;
  await submitResponse(finished, [{ itemId: 'a', value: 3 }], '  hallo  ', fetcher);
  const { url, init } = seen!;
  assert.is(url, SUBMIT_PATH);
  assert.is(init.method, 'POST');
  assert.is(init.credentials, 'omit');
  assert.is(init.referrerPolicy, 'no-referrer');
  const headers = Object.keys(init.headers as Record<string, string>).map((h) => h.toLowerCase());
  assert.not.ok(headers.includes('x-csrf-token'));
  assert.not.ok(headers.includes('cookie'));
  assert.equal(JSON.parse(init.body as string), {
    waveId: 'wave-1',
    cellId: 'cell-1',
    keyId,
    message: 'bWVzc2FnZQ',
    signature: 'c2ln',
    answers: [{ itemId: 'a', value: 3 }],
    comment: 'hallo',
  });
  await submitResponse(finished, [], '   ', fetcher);
  assert.not.ok('comment' in JSON.parse(seen!.init.body as string));
});

test('with a submission origin of its own, answers go there, still without credentials', async () => {
  const seen: { url: string; init: RequestInit }[] = [];
  const fetcher = ((url: string, init: RequestInit) => {
    seen.push({ url, init });
    return Promise.resolve(new Response('{"status":"received"}', { status: 202 }));
  }) as typeof fetch;
  await submitResponse(finished, [], '', fetcher, 'https://submit.example.org');
  assert.is(seen[0]!.url, `https://submit.example.org${SUBMIT_PATH}`);
  assert.is(seen[0]!.init.credentials, 'omit');
  assert.is(seen[0]!.init.referrerPolicy, 'no-referrer');
  await submitResponse(finished, [], '', fetcher, undefined);
  assert.is(seen[1]!.url, SUBMIT_PATH, 'unset: the page origin');
});

test('a refused or failed submission carries a code to translate', async () => {
  const refuse = (() =>
    Promise.resolve(
      new Response('{"code":"invalid_token","message":"no"}', { status: 400 }),
    )) as typeof fetch;
  const offline = (() => Promise.reject(new TypeError('offline'))) as typeof fetch;
  const broken = (() => Promise.resolve(new Response('oops', { status: 502 }))) as typeof fetch;
  for (const [fetcher, code] of [
    [refuse, 'invalid_token'],
    [offline, 'network_error'],
    [broken, 'internal_error'],
  ] as const) {
    try {
      await submitResponse(finished, [], '', fetcher);
      assert.unreachable();
    } catch (e) {
      assert.instance(e, PulseError);
      assert.is((e as PulseError).code, code);
    }
  }
});

const items: OfficerItem[] = [
  {
    id: 'a',
    text: 'A',
    options: [1, 2, 3, 4, 5].map((v) => ({ value: v, label: `${v}` })),
    dontKnowLabel: null,
  },
  {
    id: 'b',
    text: 'B',
    options: [1, 2, 3, 4, 5].map((v) => ({ value: v, label: `${v}` })),
    dontKnowLabel: 'Weet niet',
  },
  {
    id: 'c',
    text: 'C',
    options: [0, 10].map((v) => ({ value: v, label: `${v}` })),
    dontKnowLabel: null,
  },
];

test('answers follow item order, "don\'t know" is null, unanswered items are left out', () => {
  assert.equal(buildAnswers(items, { c: '0', b: DONT_KNOW }), [
    { itemId: 'b', value: null },
    { itemId: 'c', value: 0 },
  ]);
  assert.equal(buildAnswers(items, { a: '5', b: '2', c: '10' }), [
    { itemId: 'a', value: 5 },
    { itemId: 'b', value: 2 },
    { itemId: 'c', value: 10 },
  ]);
  // Values off the scale or "don't know" where it is not offered never leave the browser.
  assert.equal(buildAnswers(items, { a: DONT_KNOW, c: '7', x: '1' }), []);
  assert.is(answeredCount(items, { a: '1', b: '' }), 1);
});

test('the last day to answer is the day before the wave closes', () => {
  assert.is(lastAnswerDay('2026-12-05'), '2026-12-04');
  assert.is(lastAnswerDay('2027-01-01'), '2026-12-31');
  assert.is(lastAnswerDay('2028-03-01'), '2028-02-29');
});

test.run();
