/**
 * Helpers for collection tests: a programme with an open wave on the demo organisation, and
 * an officer's browser side of the token protocol, done with the real RFC 9474 client.
 */
import { webcrypto } from 'node:crypto';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { MyWave, MyWaves } from '@teamspiegel/contracts';
import { createProgramme } from '../src/collection/programmes.routes.ts';
import { TODAY, type TestApp } from './helpers.ts';
import { unitIdByCode, type Browser } from './support.ts';

const suite = RSABSSA.SHA384.PSS.Randomized();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** Creates the corps programme with a wave opening today, prepares it and waits for its keys. */
export async function openCorpsWave(t: TestApp): Promise<string> {
  const { waveId } = await createProgramme(t.db, t.clock, {
    rootUnitId: await unitIdByCode(t.db, 'NL'),
    name: 'Teamspiegel test',
    firstOpensOn: TODAY,
    cadenceDays: 28,
    windowDays: 14,
    commentQuestion: true,
  });
  await t.app.waves.prepare(waveId, null);
  await t.app.waves.keysReady(waveId);
  return waveId;
}

export async function myWave(browser: Browser, waveId: string): Promise<MyWave> {
  const response = await browser.get('/api/v1/me/waves');
  const wave = response.json<MyWaves>().items.find((w) => w.waveId === waveId);
  if (!wave) throw new Error(`wave ${waveId} is not open for this person: ${response.body}`);
  return wave;
}

export interface Token {
  waveId: string;
  cellId: string;
  keyId: string;
  message: string;
  signature: string;
}

/** What the browser does: prepare and blind a token message, get it signed, finalise. */
export async function takeToken(
  browser: Browser,
  wave: MyWave,
): Promise<{ token: Token | null; response: LightMyRequestResponse }> {
  const pk = await webcrypto.subtle.importKey(
    'spki',
    Buffer.from(wave.publicKey, 'base64url'),
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true,
    ['verify'],
  );
  const nonce = b64(webcrypto.getRandomValues(new Uint8Array(32)));
  const message = `teamspiegel/v1|${wave.waveId}|${wave.cellId}|${wave.keyId}|${nonce}`;
  const prepared = suite.prepare(new TextEncoder().encode(message));
  const { blindedMsg, inv } = await suite.blind(pk, prepared);
  const response = await browser.post(`/api/v1/waves/${wave.waveId}/tokens`, {
    cellId: wave.cellId,
    blindedMessage: b64(blindedMsg),
  });
  if (response.statusCode !== 200) return { token: null, response };
  const blindSignature = Buffer.from(
    response.json<{ blindSignature: string }>().blindSignature,
    'base64url',
  );
  const signature = await suite.finalize(pk, prepared, blindSignature, inv);
  return {
    token: {
      waveId: wave.waveId,
      cellId: wave.cellId,
      keyId: wave.keyId,
      message: b64(prepared),
      signature: b64(signature),
    },
    response,
  };
}

/** Anonymous submission: no cookie, no CSRF token, no Origin, as `credentials: 'omit'` sends it. */
export function submit(
  app: FastifyInstance,
  token: Token,
  answers: { itemId: string; value: number | null }[],
  comment?: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/submit/v1/responses',
    headers,
    payload: { ...token, answers, ...(comment === undefined ? {} : { comment }) },
  });
}
