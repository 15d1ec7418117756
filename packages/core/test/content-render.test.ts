import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LANGUAGES, SCALES, SCALE_RANGE, type Item } from '@teamspiegel/contracts';
import { DONT_KNOW_LABEL, ITEM_BANK, itemText, scaleOptions } from '../src/index.ts';

const render = suite('render');

const leaderItem: Item = {
  id: 'x.lead',
  theme: 'inclusive_leadership',
  texts: { nl: '{lead} luistert naar {lead}.', en: 'I can talk to {lead}.' },
  scale: 'agree5',
  reverseKeyed: false,
  dontKnow: true,
  reportingLevel: 'team',
  leaderReferent: true,
};

render('fills every {lead} and capitalises a term that opens the sentence', () => {
  assert.is(
    itemText(leaderItem, 'nl', 'mijn teamchef'),
    'Mijn teamchef luistert naar mijn teamchef.',
  );
  assert.is(itemText(leaderItem, 'en', 'my team lead'), 'I can talk to my team lead.');
});

render('nl-BE falls back to nl, and uses its own text where it has one', () => {
  assert.is(
    itemText(leaderItem, 'nl-BE', 'mijn leidinggevende'),
    'Mijn leidinggevende luistert naar mijn leidinggevende.',
  );
  const checks = ITEM_BANK.find((i) => i.id === 'chk.grounds');
  assert.ok(checks);
  assert.match(itemText(checks, 'nl', ''), 'staande houden');
  assert.match(itemText(checks, 'nl-BE', ''), 'controleren');
});

render('no built-in item keeps a placeholder once rendered', () => {
  for (const item of ITEM_BANK) {
    for (const language of LANGUAGES) {
      assert.not.match(itemText(item, language, 'mijn teamchef'), /[{}]/, item.id);
    }
  }
});

render('scale options run from the lowest value up, one label per value', () => {
  for (const scale of SCALES) {
    for (const language of LANGUAGES) {
      const options = scaleOptions(scale, language);
      const { min, max } = SCALE_RANGE[scale];
      assert.equal(
        options.map((o) => o.value),
        Array.from({ length: max - min + 1 }, (_, k) => min + k),
      );
      assert.ok(options.every((o) => o.label.length > 0));
    }
  }
});

render('labels each scale in Dutch and English', () => {
  assert.equal(scaleOptions('agree5', 'nl')[0], { value: 1, label: 'Helemaal oneens' });
  assert.equal(scaleOptions('agree5', 'en')[4], { value: 5, label: 'Strongly agree' });
  assert.equal(
    scaleOptions('frequency5', 'nl').map((o) => o.label),
    ['Nooit', 'Zelden', 'Soms', 'Vaak', 'Heel vaak'],
  );
  assert.equal(scaleOptions('frequency5', 'nl-BE'), scaleOptions('frequency5', 'nl'));
  assert.match(scaleOptions('zero_to_ten', 'en')[10]?.label ?? '', 'extremely likely');
});

render('offers a "don\'t know" label in every language', () => {
  for (const language of LANGUAGES) assert.ok(DONT_KNOW_LABEL[language].length > 0);
  assert.is(DONT_KNOW_LABEL.en, "Don't know / not applicable");
});

render.run();
