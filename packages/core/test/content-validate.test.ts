import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Item, ReportingLevel } from '@teamspiegel/contracts';
import { identifyingReason, validateContentPack } from '../src/index.ts';

const item = (overrides: Partial<Item> = {}): Item => ({
  id: 'x.item',
  theme: 'psychological_safety',
  texts: { nl: 'Ik voel me veilig in mijn team.', en: 'I feel safe in my team.' },
  scale: 'agree5',
  reverseKeyed: false,
  dontKnow: false,
  reportingLevel: 'team',
  leaderReferent: false,
  ...overrides,
});

const pack = (items: unknown[], overrides: Record<string, unknown> = {}): unknown => ({
  id: 'licensed-ps',
  title: 'A licensed instrument',
  source: 'Author, A. (2020). A scale. Journal, 1(1), 1-10.',
  doi: '10.1000/182',
  licence: { status: 'permission_granted', holder: 'A. Author' },
  translationStatus: 'validated_translation',
  items,
  ...overrides,
});

const problemsOf = (input: unknown) => {
  const result = validateContentPack(input);
  return result.ok ? [] : result.problems;
};
const pathsAndCodes = (input: unknown) => problemsOf(input).map((p) => [p.path, p.code]);

const validate = suite('validateContentPack');

validate('accepts a complete licensed pack and returns it typed', () => {
  const input = pack([item(), item({ id: 'x.two' })]);
  const result = validateContentPack(input);
  assert.ok(result.ok);
  if (result.ok) assert.is(result.pack.items.length, 2);
});

validate('lists every problem of a broken pack, each with its path', () => {
  const input = pack(
    [
      item({ id: 'a.one' }),
      item({ id: 'a.one' }), // 1: duplicate id
      item({ id: 'a.three', texts: { nl: 'Ik durf te zeggen wat ik denk.' } as Item['texts'] }), // 2: no English
      item({ id: 'a.four', leaderReferent: true }), // 3 + 4: no {lead} in nl, nor in en
    ],
    { licence: { status: 'licensed' } }, // 5: no holder
  );
  assert.equal(pathsAndCodes(input), [
    ['$.licence.holder', 'licence_holder'],
    ['$.items[1].id', 'duplicate_id'],
    ['$.items[2].texts.en', 'missing_text'],
    ['$.items[3].texts.nl', 'lead_placeholder_missing'],
    ['$.items[3].texts.en', 'lead_placeholder_missing'],
  ]);
  for (const problem of problemsOf(input)) assert.ok(problem.message.length > 10);
});

validate('reports schema problems beside the rules, without saying the same thing twice', () => {
  const input = pack([
    { ...item(), extra: true },
    item({ id: 'B!', scale: 'stars' as Item['scale'] }),
    item({ id: 'x.empty', texts: { nl: '', en: 'Fine.' } }),
  ]);
  assert.equal(pathsAndCodes(input), [
    ['$.items[0].extra', 'schema'],
    ['$.items[1].id', 'schema'],
    ['$.items[1].scale', 'schema'],
    ['$.items[2].texts.nl', 'empty_text'],
  ]);
});

validate('refuses what is not a pack at all with one plain problem', () => {
  assert.equal(pathsAndCodes(null), [['$', 'schema']]);
  assert.equal(pathsAndCodes(pack([])), [['$.items', 'schema']]);
});

validate('names missing top-level fields one by one', () => {
  assert.equal(
    pathsAndCodes({ id: 'p1', items: [item()] }).map(([path]) => path),
    ['$.title', '$.source', '$.licence', '$.translationStatus'],
  );
});

validate('{lead} without leaderReferent and unknown placeholders are refused', () => {
  const input = pack([
    item({ texts: { nl: '{lead} luistert naar mij.', en: 'My lead listens to me.' } }),
    item({
      id: 'x.team',
      texts: { nl: 'Ik hoor bij {team}.', en: 'I belong to {team} and {unit}.' },
    }),
  ]);
  assert.equal(pathsAndCodes(input), [
    ['$.items[0].texts.nl', 'lead_placeholder_unexpected'],
    ['$.items[1].texts.nl', 'unknown_placeholder'],
    ['$.items[1].texts.en', 'unknown_placeholder'],
  ]);
  assert.match(problemsOf(input)[2]?.message ?? '', '{team}, {unit}');
});

validate('a Flemish variant of a leader item must hold {lead} too', () => {
  const input = pack([
    item({
      theme: 'inclusive_leadership',
      leaderReferent: true,
      dontKnow: true,
      texts: { nl: '{lead} luistert.', 'nl-BE': 'De chef luistert.', en: '{lead} listens.' },
    }),
  ]);
  assert.equal(pathsAndCodes(input), [["$.items[0].texts['nl-BE']", 'lead_placeholder_missing']]);
});

validate('incident items must use the frequency scale and offer "don\'t know"', () => {
  const input = pack([
    item({ theme: 'social_safety', reportingLevel: 'incident', scale: 'agree5', dontKnow: false }),
    item({
      id: 'x.ok',
      theme: 'social_safety',
      reportingLevel: 'incident',
      scale: 'frequency5',
      dontKnow: true,
    }),
  ]);
  assert.equal(pathsAndCodes(input), [
    ['$.items[0].scale', 'incident_scale'],
    ['$.items[0].dontKnow', 'incident_dont_know'],
  ]);
});

validate('social-safety items are never reported for one team', () => {
  const input = pack([
    item({ theme: 'social_safety', reportingLevel: 'team' }),
    item({ id: 'x.freq', theme: 'social_safety', reportingLevel: 'unit', scale: 'frequency5' }),
    item({ id: 'x.unit', theme: 'social_safety', reportingLevel: 'unit' }),
  ]);
  assert.equal(pathsAndCodes(input), [
    ['$.items[0].reportingLevel', 'social_safety_level'],
    ['$.items[1].reportingLevel', 'social_safety_level'],
  ]);
});

validate('the recommendation question is 0-10 and never for one team', () => {
  const input = pack([item({ theme: 'recommendation', scale: 'agree5', reportingLevel: 'team' })]);
  assert.equal(pathsAndCodes(input), [
    ['$.items[0].scale', 'recommendation_scale'],
    ['$.items[0].reportingLevel', 'recommendation_level'],
  ]);
  const fine = pack([
    item({ theme: 'recommendation', scale: 'zero_to_ten', reportingLevel: 'unit' }),
  ]);
  assert.ok(validateContentPack(fine).ok);
});

validate('licensed and permission-granted packs name the holder; owned and open need not', () => {
  for (const status of ['licensed', 'permission_granted']) {
    assert.equal(pathsAndCodes(pack([item()], { licence: { status } })), [
      ['$.licence.holder', 'licence_holder'],
    ]);
    assert.equal(pathsAndCodes(pack([item()], { licence: { status, holder: '  ' } })), [
      ['$.licence.holder', 'licence_holder'],
    ]);
  }
  for (const status of ['owned', 'open']) {
    assert.ok(validateContentPack(pack([item()], { licence: { status } })).ok, status);
  }
});

validate('refuses identifying questions in a pack (A13) at the text that asks them', () => {
  const input = pack([
    item({ texts: { nl: 'In welk team werk je?', en: 'I feel safe.' } }),
    item({ id: 'x.age', texts: { nl: 'Ik voel me veilig.', en: 'What is your age?' } }),
  ]);
  assert.equal(pathsAndCodes(input), [
    ['$.items[0].texts.nl', 'identifying_question'],
    ['$.items[1].texts.en', 'identifying_question'],
  ]);
  assert.match(problemsOf(input)[0]?.message ?? '', 'A13');
});

const a13 = suite('identifying questions (A13)');

const refusedEverywhere: [string, string][] = [
  ['nl', 'In welk team werk je?'],
  ['nl', 'Bij welke eenheid hoor je?'],
  ['nl', 'In welke ploeg of dienstgroep werk je?'],
  ['nl', 'Op welk politiebureau werk je?'],
  ['nl', 'Welke rang heb je?'],
  ['nl', 'Wat is je leeftijd?'],
  ['nl', 'Hoe oud ben je?'],
  ['nl', 'Wat is uw geslacht?'],
  ['nl', 'Hoeveel dienstjaren heb je?'],
  ['nl', 'Hoe lang werk je al bij de politie?'],
  ['nl', 'Ik ben een vrouw.'],
  ['nl', 'Ik ben ouder dan 50.'],
  ['nl', 'Ik heb een migratieachtergrond.'],
  ['nl', 'Mijn afkomst speelt een rol in het team.'],
  ['nl', 'Mijn geloof is belangrijk voor mij.'],
  ['nl', 'Wat is je personeelsnummer?'],
  ['nl', 'Ik werk al langer dan tien jaar bij de politie.'],
  ['nl', 'Ik werk in deeltijd.'],
  ['en', 'Which team are you in?'],
  ['en', 'What shift do you usually work?'],
  ['en', 'At which police station do you work?'],
  ['en', 'Which role do you have in the team?'],
  ['en', 'What is your rank?'],
  ['en', 'How old are you?'],
  ['en', 'Please state your gender.'],
  ['en', 'Years of service'],
  ['en', 'I am a woman.'],
  ['en', "I'm over 50."],
  ['en', 'My religion matters to me at work.'],
  ['en', 'Country of origin'],
  ['en', 'I have worked here for more than five years.'],
  ['en', 'Your employee number'],
];

for (const [language, text] of refusedEverywhere) {
  a13(`refuses (${language}): "${text}"`, () => {
    for (const level of ['team', 'unit', 'incident'] as ReportingLevel[]) {
      assert.ok(identifyingReason(text, level), `${level}: ${text}`);
    }
  });
}

const ordinary: string[] = [
  'Ik voel me thuis in mijn team.',
  'In mijn team kan ik mezelf zijn.',
  'Mijn teamchef staat open voor nieuwe ideeën.',
  'Ik geloof dat mijn leidinggevende eerlijk is.',
  'Ik weet bij welke collega ik terechtkan.',
  'Ik weet welke regels in mijn team gelden.',
  'Ik ben onder de indruk van hoe we samenwerken.',
  'Hoe vaak werd je de afgelopen drie maanden binnen de politie geïntimideerd?',
  'Ik weet wat je moet doen bij ongewenst gedrag.',
  'I feel at home in my team.',
  'I know what my team lead expects of me.',
  'I know what role I play in the team.',
  'We discuss which approach works best.',
  "I'm under no pressure to fit in.",
  'My unit treats everyone fairly.',
  'I manage to say what I think.',
  'Our team has an original way of working.',
  'Sexual jokes are not tolerated here.',
];

for (const text of ordinary) {
  a13(`accepts an ordinary item: "${text}"`, () => {
    assert.is(identifyingReason(text, 'team'), null);
  });
}

a13('an attribute named as grounds of treatment is allowed at unit and incident level only', () => {
  const grounds = [
    'Hoe vaak werd je gediscrimineerd vanwege je afkomst of je geloof?',
    'Ik word anders behandeld om mijn leeftijd.',
    'How often were you treated unfairly because of your gender?',
    'Everyone is respected here, regardless of rank.',
  ];
  for (const text of grounds) {
    assert.is(identifyingReason(text, 'incident'), null, text);
    assert.is(identifyingReason(text, 'unit'), null, text);
    assert.ok(identifyingReason(text, 'team'), text);
  }
});

a13('grounds of treatment never excuse a direct question', () => {
  assert.ok(
    identifyingReason(
      'Vanwege welke afkomst word je gediscrimineerd? Wat is je leeftijd?',
      'incident',
    ),
  );
  assert.ok(identifyingReason('Because of my work, which shift do you prefer?', 'incident'));
});

a13('accents and curly apostrophes do not create false word boundaries', () => {
  assert.is(identifyingReason('Collega’s nemen mijn zorgen serieus.', 'team'), null);
  assert.ok(identifyingReason('Wat is jouw seksuele oriëntatie?', 'unit'));
});

validate.run();
a13.run();
