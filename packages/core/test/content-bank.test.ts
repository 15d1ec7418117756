import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { THEMES, type Item, type Theme } from '@teamspiegel/contracts';
import {
  ANCHOR_ITEM_IDS,
  ITEM_BANK,
  MODULES,
  TEAMSPIEGEL_PACK,
  validateItemBank,
  validateProgramme,
} from '../src/index.ts';

const bank = suite('item bank');

const byId = new Map(ITEM_BANK.map((item) => [item.id, item]));
const get = (id: string): Item => {
  const item = byId.get(id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
};
const countByTheme = (items: readonly Item[]) =>
  Object.fromEntries(THEMES.map((t) => [t, items.filter((i) => i.theme === t).length])) as Record<
    Theme,
    number
  >;

bank('holds at least 40 items covering every theme', () => {
  assert.ok(ITEM_BANK.length >= 40, `only ${ITEM_BANK.length} items`);
  const counts = countByTheme(ITEM_BANK);
  for (const theme of THEMES) assert.ok(counts[theme] >= 1, `no item for ${theme}`);
  assert.ok(counts.psychological_safety >= 7);
  assert.ok(counts.inclusion >= 7);
  assert.ok(counts.inclusive_leadership >= 7);
  assert.ok(counts.social_safety >= 7);
  assert.ok(counts.professional_checks >= 3);
  assert.ok(counts.allies_networks >= 3);
  assert.is(counts.recommendation, 1);
});

bank('item ids are unique', () => {
  assert.is(new Set(ITEM_BANK.map((i) => i.id)).size, ITEM_BANK.length);
});

bank('every item has a Dutch and an English text', () => {
  for (const item of ITEM_BANK) {
    assert.ok(item.texts.nl.trim().length > 0, item.id);
    assert.ok(item.texts.en.trim().length > 0, item.id);
  }
});

bank('a Flemish variant exists only where it differs from the Dutch text', () => {
  for (const item of ITEM_BANK) {
    if (item.texts['nl-BE'] !== undefined) assert.is.not(item.texts['nl-BE'], item.texts.nl);
  }
});

bank('items are short enough to read on a phone (at most 15 words)', () => {
  for (const item of ITEM_BANK) {
    for (const text of Object.values(item.texts)) {
      const words = text.split(/\s+/).length;
      assert.ok(words <= 15, `${item.id}: ${words} words`);
    }
  }
});

bank('leader items name {lead} in every language, other items never', () => {
  for (const item of ITEM_BANK) {
    for (const text of Object.values(item.texts)) {
      assert.is(text.includes('{lead}'), item.leaderReferent, `${item.id}: ${text}`);
    }
  }
  assert.ok(
    ITEM_BANK.filter((i) => i.theme === 'inclusive_leadership').every((i) => i.leaderReferent),
  );
});

bank('incident items use the frequency scale, offer "don\'t know" and are social safety', () => {
  const incidents = ITEM_BANK.filter((i) => i.reportingLevel === 'incident');
  assert.ok(incidents.length >= 4);
  for (const item of incidents) {
    assert.is(item.scale, 'frequency5', item.id);
    assert.ok(item.dontKnow, item.id);
    assert.is(item.theme, 'social_safety', item.id);
  }
});

bank('social safety, networks and recommendation are never reported for one team', () => {
  for (const item of ITEM_BANK) {
    if (['social_safety', 'allies_networks', 'recommendation'].includes(item.theme)) {
      assert.is.not(item.reportingLevel, 'team', item.id);
    }
  }
});

bank('the recommendation question is 0-10 at unit level', () => {
  const [rec] = ITEM_BANK.filter((i) => i.theme === 'recommendation');
  assert.is(rec?.scale, 'zero_to_ten');
  assert.is(rec?.reportingLevel, 'unit');
});

bank('some items are reverse-keyed, among them negatively worded agree items', () => {
  const reversed = ITEM_BANK.filter((i) => i.reverseKeyed);
  assert.ok(reversed.some((i) => i.scale === 'agree5'));
  assert.ok(ITEM_BANK.filter((i) => i.reportingLevel === 'incident').every((i) => i.reverseKeyed));
});

bank('the built-in bank passes the same validation as an imported pack', () => {
  const result = validateItemBank();
  if (!result.ok) assert.unreachable(JSON.stringify(result.problems, null, 2));
  assert.is(TEAMSPIEGEL_PACK.licence.status, 'owned');
  assert.is(TEAMSPIEGEL_PACK.items.length, ITEM_BANK.length);
});

const programme = suite('default programme');

programme('three anchors: psychological safety, inclusion and inclusive leadership', () => {
  assert.is(ANCHOR_ITEM_IDS.length, 3);
  assert.equal(
    ANCHOR_ITEM_IDS.map((id) => get(id).theme),
    ['psychological_safety', 'inclusion', 'inclusive_leadership'],
  );
});

programme('anchors are team-level items, never unit or incident items', () => {
  for (const id of ANCHOR_ITEM_IDS) assert.is(get(id).reportingLevel, 'team', id);
});

programme('three modules of 3 to 5 items make waves of 6 to 8 items', () => {
  assert.is(MODULES.length, 3);
  for (const module of MODULES) {
    assert.ok(module.itemIds.length >= 3 && module.itemIds.length <= 5, module.id);
    const wave = new Set([...ANCHOR_ITEM_IDS, ...module.itemIds]);
    assert.ok(wave.size >= 6 && wave.size <= 8, `${module.id}: ${wave.size}`);
    for (const id of module.itemIds) assert.ok(byId.has(id), id);
  }
});

programme('the modules cover every theme once a quarter', () => {
  const asked = new Set(MODULES.flatMap((m) => m.itemIds.map((id) => get(id).theme)));
  for (const theme of THEMES) assert.ok(asked.has(theme), `${theme} never asked in a module`);
});

programme('no item is asked twice in a quarter', () => {
  const all = [...ANCHOR_ITEM_IDS, ...MODULES.flatMap((m) => m.itemIds)];
  assert.is(new Set(all).size, all.length);
});

programme(
  'a programme with an unknown id, an incident anchor and a short module is refused',
  () => {
    const problems = validateProgramme({
      pack: TEAMSPIEGEL_PACK,
      anchorItemIds: ['ps.raise_problems', 'soc.exp_any', 'nope'],
      modules: [
        { id: 'tiny', title: { nl: 'Klein', en: 'Small' }, itemIds: ['ps.raise_problems'] },
      ],
    });
    assert.equal(
      problems.map((p) => [p.path, p.code]),
      [
        ['$.anchors[1]', 'anchor_level'],
        ['$.anchors[2]', 'unknown_item'],
        ['$.modules[0].itemIds', 'module_size'],
        ['$.modules[0].itemIds[0]', 'duplicate_id'],
      ],
    );
  },
);

bank.run();
programme.run();
