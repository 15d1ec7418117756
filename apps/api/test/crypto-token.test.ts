import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BlindSignError, blindSign } from '../src/collection/crypto/blind-sign.ts';
import { fromBase64urlStrict, toBase64url } from '../src/collection/crypto/encoding.ts';
import { generateCellKey, keyIdOf, type CellKeyPair } from '../src/collection/crypto/keys.ts';
import {
  parsePreparedMessage,
  spentTokenKey,
  tokenMessage,
  verifyToken,
  verifyTokenSignature,
  type TokenFields,
} from '../src/collection/crypto/token.ts';

const WAVE = '6f1c1b7e-2a57-4d52-9d43-0a2f3e1c9b10';
const CELL_A = 'c3a3f0de-8a1b-4b7e-a0c1-52a2b0f4d1e2';
const CELL_B = 'a9d6e2f1-3c4b-4f5a-8e7d-1b2c3d4e5f60';

interface Cell {
  pair: CellKeyPair;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const cellOf = (pair: CellKeyPair): Cell => ({
  pair,
  privateKey: createPrivateKey({ key: pair.privateKeyPkcs8, format: 'der', type: 'pkcs8' }),
  publicKey: createPublicKey({ key: pair.publicKeySpki, format: 'der', type: 'spki' }),
});

let a: Cell;
let b: Cell;

/** The browser's side, with the real client library, as the web app will do it. */
async function browserToken(cell: Cell, signer: Cell, cellId = CELL_A) {
  const rsabssa = RSABSSA.SHA384.PSS.Randomized();
  const pk = await webcrypto.subtle.importKey(
    'spki',
    cell.pair.publicKeySpki,
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true,
    ['verify'],
  );
  const fields: TokenFields = {
    waveId: WAVE,
    cellId,
    keyId: cell.pair.keyId,
    nonce: toBase64url(randomBytes(32)),
  };
  const prepared = rsabssa.prepare(new TextEncoder().encode(tokenMessage(fields)));
  const { blindedMsg, inv } = await rsabssa.blind(pk, prepared);
  // The server signs with whatever key it holds (normally the cell's own).
  const blindSignature = blindSign(signer.privateKey, signer.publicKey, Buffer.from(blindedMsg));
  assert.is(blindedMsg.length, 256);
  assert.is(blindSignature.length, 256);
  const signature = await rsabssa.finalize(pk, prepared, blindSignature, inv);
  return { fields, prepared: Buffer.from(prepared), signature: Buffer.from(signature) };
}

// -------------------------------------------------------------------------------------------

const roundTrip = suite('crypto: blind token round trip (RFC 9474, real client)');

roundTrip.before(async () => {
  [a, b] = (await Promise.all([generateCellKey(), generateCellKey()])).map(cellOf) as [Cell, Cell];
});

roundTrip(
  'a token blinded by the client, signed by the server and finalized verifies',
  async () => {
    const { fields, prepared, signature } = await browserToken(a, a);
    assert.is(signature.length, 256);
    assert.ok(verifyTokenSignature(a.publicKey, prepared, signature));
    assert.equal(parsePreparedMessage(prepared), fields);
    assert.equal(
      verifyToken({
        publicKey: a.publicKey,
        keyId: a.pair.keyId,
        waveId: WAVE,
        cellId: CELL_A,
        prepared,
        signature,
      }),
      fields,
    );
    // An independent verifier (WebCrypto, as an auditor might use) agrees.
    const pk = await webcrypto.subtle.importKey(
      'spki',
      a.pair.publicKeySpki,
      { name: 'RSA-PSS', hash: 'SHA-384' },
      false,
      ['verify'],
    );
    assert.ok(
      await webcrypto.subtle.verify({ name: 'RSA-PSS', saltLength: 48 }, pk, signature, prepared),
    );
  },
);

roundTrip('a signature made with another cell key is refused', async () => {
  const fromB = await browserToken(b, b, CELL_B);
  assert.is(verifyTokenSignature(a.publicKey, fromB.prepared, fromB.signature), false);
  assert.is(
    verifyToken({
      publicKey: a.publicKey,
      keyId: a.pair.keyId,
      waveId: WAVE,
      cellId: CELL_A,
      prepared: fromB.prepared,
      signature: fromB.signature,
    }),
    null,
  );
  // Valid under its own key, but presented for another cell: the binding check refuses it.
  assert.ok(verifyTokenSignature(b.publicKey, fromB.prepared, fromB.signature));
  assert.is(
    verifyToken({
      publicKey: b.publicKey,
      keyId: b.pair.keyId,
      waveId: WAVE,
      cellId: CELL_A,
      prepared: fromB.prepared,
      signature: fromB.signature,
    }),
    null,
  );
});

roundTrip('a token for cell A blinded under A but signed with B key does not verify', async () => {
  // The client finalize() checks the signature itself and throws; either way no valid token.
  let token: Awaited<ReturnType<typeof browserToken>> | undefined;
  try {
    token = await browserToken(a, b);
  } catch (err) {
    assert.instance(err, Error);
  }
  if (token) assert.is(verifyTokenSignature(a.publicKey, token.prepared, token.signature), false);
});

roundTrip('a tampered prepared message or signature is refused', async () => {
  const { prepared, signature } = await browserToken(a, a);
  const flips = [0, 31, 32, 40, prepared.length - 1];
  for (const at of flips) {
    const changed = Buffer.from(prepared);
    changed[at]! ^= 0x01;
    assert.is(verifyTokenSignature(a.publicKey, changed, signature), false, `byte ${at}`);
  }
  const badSig = Buffer.from(signature);
  badSig[100]! ^= 0x80;
  assert.is(verifyTokenSignature(a.publicKey, prepared, badSig), false);
  assert.is(verifyTokenSignature(a.publicKey, prepared, signature.subarray(1)), false);
  assert.is(verifyTokenSignature(a.publicKey, prepared, Buffer.alloc(256)), false);
  assert.is(verifyTokenSignature(a.publicKey, prepared.subarray(32), signature), false);
});

roundTrip('a PSS signature with another salt length or hash is refused', () => {
  const prepared = Buffer.concat([randomBytes(32), Buffer.from('teamspiegel/v1|w|c|k|n')]);
  const pss = (hash: string, saltLength: number) =>
    sign(hash, prepared, {
      key: a.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength,
    });
  assert.ok(verifyTokenSignature(a.publicKey, prepared, pss('sha384', 48)), 'control');
  assert.is(verifyTokenSignature(a.publicKey, prepared, pss('sha384', 32)), false);
  assert.is(verifyTokenSignature(a.publicKey, prepared, pss('sha384', 0)), false);
  assert.is(verifyTokenSignature(a.publicKey, prepared, pss('sha256', 48)), false);
  const pkcs1 = sign('sha384', prepared, a.privateKey);
  assert.is(verifyTokenSignature(a.publicKey, prepared, pkcs1), false);
});

roundTrip('blindSign refuses blinded messages of the wrong length', () => {
  for (const length of [0, 1, 255, 257, 512]) {
    assert.throws(
      () => blindSign(a.privateKey, a.publicKey, randomBytes(length)),
      (err: unknown) => err instanceof BlindSignError && err.code === 'wrong_length',
      `length ${length}`,
    );
  }
});

roundTrip('blindSign refuses blinded messages that are not below the modulus', () => {
  const n = Buffer.from(a.publicKey.export({ format: 'jwk' }).n!, 'base64url');
  assert.is(n.length, 256);
  const plusOne = Buffer.from((BigInt('0x' + n.toString('hex')) + 1n).toString(16), 'hex');
  for (const m of [n, plusOne, Buffer.alloc(256, 0xff)]) {
    assert.throws(
      () => blindSign(a.privateKey, a.publicKey, m),
      (err: unknown) => err instanceof BlindSignError && err.code === 'out_of_range',
    );
  }
  // n - 1 is the largest acceptable value.
  const minusOne = Buffer.from((BigInt('0x' + n.toString('hex')) - 1n).toString(16), 'hex');
  assert.is(blindSign(a.privateKey, a.publicKey, minusOne).length, 256);
});

roundTrip('blindSign withholds the signature when the keys are not a pair', () => {
  const m = Buffer.alloc(256);
  m[255] = 2;
  m[10] = 7;
  assert.throws(
    () => blindSign(a.privateKey, b.publicKey, m),
    (err: unknown) => err instanceof BlindSignError && err.code === 'self_check_failed',
  );
});

roundTrip.run();

// -------------------------------------------------------------------------------------------

const ids = suite('crypto: key ids and spent-token keys');

ids('keyId is base64url of the first 16 bytes of SHA-256 over the SPKI DER', async () => {
  const { publicKeySpki, keyId } = await generateCellKey();
  // Independently: WebCrypto's digest and a hand-rolled base64url.
  const digest = new Uint8Array(await webcrypto.subtle.digest('SHA-256', publicKeySpki));
  const expected = Buffer.from(digest.slice(0, 16))
    .toString('base64')
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
  assert.is(keyId, expected);
  assert.is(keyIdOf(publicKeySpki), expected);
  assert.is(keyId.length, 22);
  // The SPKI is an RSA-2048 key with e = 65537, in the format WebCrypto imports.
  const details = createPublicKey({
    key: publicKeySpki,
    format: 'der',
    type: 'spki',
  }).asymmetricKeyDetails;
  assert.is(details?.modulusLength, 2048);
  assert.is(details?.publicExponent, 65537n);
});

ids('the spent-token key is the first 16 bytes of SHA-256 over the nonce bytes', () => {
  const nonceBytes = randomBytes(32);
  const nonce = toBase64url(nonceBytes);
  const key = spentTokenKey(nonce);
  assert.is(key.length, 16);
  assert.ok(key.equals(createHash('sha256').update(nonceBytes).digest().subarray(0, 16)));
  assert.is(toBase64url(key).length, 22);
  assert.not.ok(spentTokenKey(toBase64url(randomBytes(32))).equals(key));
  for (const bad of ['', nonce.slice(1), nonce + 'A', nonce.slice(0, 42) + '=', 'x'.repeat(43)]) {
    if (fromBase64urlStrict(bad, 32)) continue;
    assert.throws(() => spentTokenKey(bad), RangeError, bad);
  }
});

ids.run();

// -------------------------------------------------------------------------------------------

const strict = suite('crypto: strict base64url');

strict('accepts only the canonical unpadded spelling', () => {
  const bytes = Buffer.from([0xfb, 0xff, 0x00, 0x3e]);
  assert.is(toBase64url(bytes), '-_8APg');
  assert.ok(fromBase64urlStrict('-_8APg')?.equals(bytes));
  assert.ok(fromBase64urlStrict('-_8APg', 4)?.equals(bytes));
  assert.is(fromBase64urlStrict('')?.length, 0);
  const cases: [string, string, number?][] = [
    ['padding', '-_8APg=='],
    ['standard alphabet +', '+_8APg'],
    ['standard alphabet /', '-/8APg'],
    ['whitespace', '-_8A Pg'],
    ['newline', '-_8APg\n'],
    ['impossible length', '-_8APgAAA'],
    ['non-zero unused bits', '-_8APh'],
    ['wrong byte length', '-_8APg', 3],
    ['wrong byte length (longer)', '-_8APg', 5],
    ['non-ASCII', '-_8APé'],
  ];
  for (const [name, text, length] of cases) {
    assert.is(fromBase64urlStrict(text, length), null, name);
  }
});

strict.run();

// -------------------------------------------------------------------------------------------

const parse = suite('crypto: parsePreparedMessage');

const KEY_ID = toBase64url(Buffer.alloc(16, 7));
const NONCE = toBase64url(Buffer.alloc(32, 9));
const good = `teamspiegel/v1|${WAVE}|${CELL_A}|${KEY_ID}|${NONCE}`;
const prepare = (message: string | Buffer) =>
  Buffer.concat([randomBytes(32), typeof message === 'string' ? Buffer.from(message) : message]);

parse('reads a well-formed prepared message', () => {
  assert.equal(parsePreparedMessage(prepare(good)), {
    waveId: WAVE,
    cellId: CELL_A,
    keyId: KEY_ID,
    nonce: NONCE,
  });
  assert.is(tokenMessage({ waveId: WAVE, cellId: CELL_A, keyId: KEY_ID, nonce: NONCE }), good);
});

parse('refuses every malformed variant', () => {
  const field = (i: number, value: string) => {
    const parts = good.split('|');
    parts[i] = value;
    return parts.join('|');
  };
  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['only the random bytes', randomBytes(32)],
    ['no random bytes', Buffer.from(good)],
    ['31 random bytes', Buffer.concat([randomBytes(31), Buffer.from(good)])],
    ['33 random bytes', Buffer.concat([randomBytes(33), Buffer.from(good)])],
    ['other version', prepare(field(0, 'teamspiegel/v2'))],
    ['prefix in other case', prepare(field(0, 'Teamspiegel/v1'))],
    ['space before prefix', prepare(' ' + good)],
    ['four fields', prepare(good.split('|').slice(0, 4).join('|'))],
    ['six fields', prepare(good + '|x')],
    ['trailing separator', prepare(good + '|')],
    ['trailing newline', prepare(good + '\n')],
    ['trailing NUL', prepare(good + '\0')],
    ['empty wave id', prepare(field(1, ''))],
    ['empty cell id', prepare(field(2, ''))],
    ['wave id with a slash', prepare(field(1, '../etc'))],
    ['wave id with a dot', prepare(field(1, 'a.b'))],
    ['wave id of 37 characters', prepare(field(1, 'a'.repeat(37)))],
    ['cell id with a space', prepare(field(2, 'a b'))],
    ['key id of 21 characters', prepare(field(3, KEY_ID.slice(1)))],
    ['key id of 23 characters', prepare(field(3, KEY_ID + 'A'))],
    ['key id padded', prepare(field(3, KEY_ID + '=='))],
    ['key id in standard base64', prepare(field(3, '+' + KEY_ID.slice(1)))],
    ['key id not canonical', prepare(field(3, KEY_ID.slice(0, 21) + 'x'))],
    ['nonce of 42 characters', prepare(field(4, NONCE.slice(1)))],
    ['nonce of 44 characters', prepare(field(4, NONCE + 'A'))],
    ['nonce padded', prepare(field(4, NONCE + '='))],
    ['nonce not canonical', prepare(field(4, NONCE.slice(0, 42) + 'B'))],
    ['nonce empty', prepare(field(4, ''))],
    ['invalid UTF-8', prepare(Buffer.concat([Buffer.from(good), Buffer.from([0xc3])]))],
    [
      'overlong UTF-8 slash',
      prepare(
        Buffer.concat([
          Buffer.from('teamspiegel'),
          Buffer.from([0xc0, 0xaf]),
          Buffer.from(good.slice(12)),
        ]),
      ),
    ],
    ['oversized', prepare(good + 'A'.repeat(10_000))],
  ];
  for (const [name, prepared] of cases) {
    assert.is(parsePreparedMessage(prepared), null, name);
  }
});

parse('tokenMessage refuses fields it could not write unambiguously', () => {
  const fields = { waveId: WAVE, cellId: CELL_A, keyId: KEY_ID, nonce: NONCE };
  for (const bad of [
    { ...fields, waveId: 'a|b' },
    { ...fields, cellId: '' },
    { ...fields, keyId: KEY_ID + '=' },
    { ...fields, nonce: NONCE.slice(2) },
  ]) {
    assert.throws(() => tokenMessage(bad), RangeError);
  }
});

parse.run();
