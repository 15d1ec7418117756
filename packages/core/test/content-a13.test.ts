import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Item } from '@teamspiegel/contracts';
import { ITEM_BANK, TEAMSPIEGEL_PACK, validateContentPack } from '../src/index.ts';

const item = (overrides: Record<string, unknown> = {}) => ({
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

const pack = (items: unknown[]) => ({
  id: 'org-pack',
  title: 'Our own questions',
  source: 'Teamspiegel',
  licence: { status: 'owned' },
  translationStatus: 'original',
  items,
});

const a13Problems = (input: unknown) => {
  const result = validateContentPack(input);
  return result.ok ? [] : result.problems.filter((p) => p.code === 'identifying_question');
};

test('the whole built-in bank passes the A13 guard, "my team" as a subject included', () => {
  assert.ok(ITEM_BANK.some((i: Item) => /In mijn team/i.test(i.texts.nl)));
  assert.equal(a13Problems(TEAMSPIEGEL_PACK), []);
  assert.ok(validateContentPack(TEAMSPIEGEL_PACK).ok);
});

test('a pack asking for identity or demographics is refused item by item (A13)', () => {
  const asks: [string, string][] = [
    ['In welk team werk je?', 'Which team are you in?'],
    ['Wat is je leeftijd?', 'How old are you?'],
    ['In welk district werk je?', 'Which district do you work in?'],
    ['In welke ploeg werk je?', 'Which shift are you on?'],
    ['Wat is je rang?', 'What is your rank?'],
    ['Wat is je functie?', 'What is your job title?'],
    ['Wat is je geslacht?', 'What is your gender?'],
    ['Wat is je nationaliteit?', 'What is your nationality?'],
    ['Wat is je afkomst?', 'What is your origin?'],
    ['Wat is je religie?', 'What is your religion?'],
    ['Hoeveel dienstjaren heb je?', 'How many years of service do you have?'],
    ['Wat is je naam?', 'What is your name?'],
    ['Wat is je personeelsnummer?', 'What is your employee number?'],
    ['Ik ben een vrouw.', 'I am a woman.'],
  ];
  const input = pack(asks.map(([nl, en], i) => item({ id: `x.q${i}`, texts: { nl, en } })));
  const problems = a13Problems(input);
  for (const [i, [nl, en]] of asks.entries()) {
    for (const language of ['nl', 'en']) {
      const problem = problems.find((p) => p.path === `$.items[${i}].texts.${language}`);
      assert.ok(problem, `${language}: ${language === 'nl' ? nl : en}`);
      assert.match(problem?.message ?? '', /^refused: .*A13/);
    }
  }
});

test('an item with an open answer is refused: the comment is the only free text (A13)', () => {
  for (const scale of ['text', 'open', 'free_text', 'string']) {
    const problems = a13Problems(pack([item({ scale })]));
    assert.equal(
      problems.map((p) => p.path),
      ['$.items[0].scale'],
      scale,
    );
    assert.match(problems[0]?.message ?? '', 'only free text is the one optional comment');
  }
  const typed = a13Problems(pack([item({ type: 'open_answer' })]));
  assert.equal(
    typed.map((p) => p.path),
    ['$.items[0].type'],
  );
});

test('items about the team as a subject stay allowed', () => {
  const fine = [
    ['In mijn team kan ik fouten toegeven.', 'In my team I can admit mistakes.'],
    ['Mijn team werkt goed samen.', 'My team works well together.'],
    ['{lead} geeft mij ruimte.', '{lead} gives me room.'],
  ];
  const input = pack(
    fine.map(([nl, en], i) =>
      item({ id: `x.ok${i}`, texts: { nl, en }, leaderReferent: nl?.includes('{lead}') }),
    ),
  );
  assert.equal(validateContentPack(input).ok, true);
});

test('invisible characters and look-alike letters do not hide a question (A13)', () => {
  const texts: [string, RegExp][] = [
    ['Hoe \u00ADoud ben je?', /asks for age/],
    ['Ik ben een \u200Bvrouw.', /personal attribute/],
    ['In welk \u00ADteam werk je?', /which team/],
    ['In w\u0435lk team werk je?', /outside the Latin alphabet/],
    ['\uFF28\uFF4F\uFF45 oud ben je?', /asks for age/],
    ['Hoe o\u0336ud ben je?', /asks for age/],
    ['How \u2060old are you?', /asks for age/],
    // Harmless words, but what a respondent reads is not what was checked.
    ['Ik voel me veilig in mijn \u00ADteam.', /invisible/],
    ['Ik voel me v\u0435ilig in mijn team.', /outside the Latin alphabet/],
  ];
  const input = pack(
    texts.map(([nl], i) => item({ id: `x.h${i}`, texts: { nl, en: 'I feel safe in my team.' } })),
  );
  const problems = a13Problems(input);
  for (const [i, [nl, reason]] of texts.entries()) {
    const problem = problems.find((p) => p.path === `$.items[${i}].texts.nl`);
    assert.ok(problem, JSON.stringify(nl));
    assert.match(problem?.message ?? '', reason, JSON.stringify(nl));
  }
  assert.is(problems.length, texts.length);
});

test('accented Latin letters stay ordinary text', () => {
  const input = pack([
    item({
      texts: {
        nl: 'Ik word niet geïntimideerd en ik ben tevreden over één collega.',
        en: 'I feel at ease in my team’s café.',
      },
    }),
  ]);
  assert.equal(a13Problems(input), []);
});

test.run();
