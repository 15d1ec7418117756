import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import type { ContentPackCheck, Item } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import { auditEvents, browserAs, expectNoChange, expectRefused, rowCount } from './support.ts';

/** Importing a licensed instrument as a content pack: check first, then import. */
const packs = suite('content packs');
const t = withTestApp(packs);

const validPack = (id: string) => ({
  id,
  title: 'Example team climate scale (licensed)',
  source: 'Author, A. (2020). An example scale. Journal of Examples, 1(1), 1-10.',
  doi: '10.1000/182',
  licence: { status: 'permission_granted', holder: 'A. Author' },
  translationStatus: 'validated_translation',
  items: [
    {
      id: `${id}.voice`,
      theme: 'psychological_safety',
      texts: {
        nl: 'In dit team kan ik zeggen wat me dwarszit.',
        en: 'In this team I can say what bothers me.',
      },
      scale: 'agree5',
      reverseKeyed: false,
      dontKnow: false,
      reportingLevel: 'team',
      leaderReferent: false,
    },
  ],
});

packs('a broken pack is refused with every problem listed, and nothing is stored', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const broken = validPack('broken');
  const item = broken.items[0]!;
  const pack = {
    ...broken,
    licence: { status: 'licensed' }, // no holder
    items: [
      { ...item, texts: { nl: '', en: 'Fine' } }, // empty Dutch text
      { ...item, id: item.id }, // duplicate id
      {
        ...item,
        id: 'broken.team',
        texts: { nl: 'In welk team werk je?', en: 'Which team do you work in?' },
      },
    ],
  };
  const check = await admin.post('/api/v1/content/packs/check', {
    format: 'json',
    text: JSON.stringify(pack),
  });
  assert.is(check.statusCode, 200);
  const result = check.json<ContentPackCheck>();
  assert.is(result.ok, false);
  const codes = result.problems.map((p) => p.code);
  for (const code of [
    'licence_holder',
    'empty_text',
    'duplicate_id',
    'identifying_question',
  ] as const) {
    assert.ok(codes.includes(code), `${code} in ${codes.join(', ')}`);
  }
  assert.ok(result.problems.every((p) => p.path.startsWith('$')));

  await expectNoChange(t.db, [], async () => {
    const imported = await admin.post('/api/v1/content/packs', {
      format: 'json',
      text: JSON.stringify(pack),
    });
    expectRefused(imported, 400, 'content_pack_invalid');
  });
  assert.is(await rowCount(t.db, 'content_pack' as never), 0);
});

packs('a file that is not JSON or YAML gets a readable problem, not a crash', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const check = await admin.post('/api/v1/content/packs/check', {
    format: 'json',
    text: '{ "id": ',
  });
  assert.is(check.statusCode, 200);
  const result = check.json<ContentPackCheck>();
  assert.is(result.ok, false);
  assert.match(result.problems[0]!.message, /not valid json/i);
});

packs('a valid YAML pack is imported, audited and its items join the bank', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const before = (await admin.get('/api/v1/content/items')).json<{ items: Item[] }>().items.length;
  const imported = await admin.post('/api/v1/content/packs', {
    format: 'yaml',
    text: stringify(validPack('licensed-a')),
  });
  assert.is(imported.statusCode, 201, imported.body);
  assert.is(imported.json<{ items: number }>().items, 1);
  const items = (await admin.get('/api/v1/content/items')).json<{ items: Item[] }>().items;
  assert.is(items.length, before + 1);
  assert.ok(items.some((i) => i.id === 'licensed-a.voice'));
  const events = await auditEvents(t.db, 'content.pack_imported');
  assert.is(events.length, 1);

  const again = await admin.post('/api/v1/content/packs', {
    format: 'yaml',
    text: stringify(validPack('licensed-a')),
  });
  expectRefused(again, 409, 'conflict');
});

packs('an imported item may not take the id of an item we already have', async () => {
  const admin = await browserAs(t.app, 'demo-admin');
  const pack = validPack('clash');
  pack.items[0]!.id = 'ps.raise_problems';
  const check = (
    await admin.post('/api/v1/content/packs/check', { format: 'json', text: JSON.stringify(pack) })
  ).json<ContentPackCheck>();
  assert.equal(
    check.problems.map((p) => p.code),
    ['duplicate_id'],
  );
});

packs('only administrators check or import packs', async () => {
  for (const username of ['demo-hr', 'demo-officer', 'demo-council']) {
    const viewer = await browserAs(t.app, username);
    const response = await viewer.post('/api/v1/content/packs/check', {
      format: 'json',
      text: '{}',
    });
    expectRefused(response, 403, 'forbidden');
  }
});

packs.run();
