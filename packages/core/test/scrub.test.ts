import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createScrubber, SCRUB_PLACEHOLDERS, scrubComment, type RosterName } from '../src/index.ts';

const scrub = suite('scrubComment');

const ROSTER: RosterName[] = [
  { givenName: 'Jan-Willem', familyName: 'van der Berg' },
  { givenName: 'Fatima', familyName: 'El Amrani' },
  { givenName: 'Bo', familyName: 'de Vries' },
  { givenName: 'Ben', familyName: "'t Hart" },
  { givenName: 'Özlem', familyName: 'Yılmaz' },
  { givenName: 'Sophie', familyName: 'Van den Broeck' },
  { givenName: 'Karim', familyName: 'Ben Ali' },
  { givenName: 'Ed', familyName: 'Li' },
];

const run = (text: string) => scrubComment({ text, names: ROSTER }).text;

const CASES: [string, string, string][] = [
  // [what, input, expected]
  ['a full name with particles', 'Jan-Willem van der Berg was er niet', '[naam] was er niet'],
  ['a family name with particles', 'Van der Berg plant slecht', '[naam] plant slecht'],
  ['a family name without particles', 'berg plant slecht', '[naam] plant slecht'],
  ['part of a compound given name', 'Willem zei niets', '[naam] zei niets'],
  ['Moroccan particle El', 'fatima el amrani helped me', '[naam] helped me'],
  ['El dropped', 'Amrani helped me', '[naam] helped me'],
  ['Belgian particles', 'Sophie Van den Broeck en Broeck', '[naam] en [naam]'],
  ["'t in a family name", "Ben 't Hart luistert", '[naam] luistert'],
  ['Ben as particle and as given name', 'Karim Ben Ali and Ben', '[naam] and [naam]'],
  ['accents typed or not', 'Ozlem Yilmaz en ÖZLEM', '[naam] en [naam]'],
  ['shouting', 'JAN-WILLEM VAN DER BERG!', '[naam]!'],
  [
    'two-letter names only inside a full name',
    'Bo de Vries, bo en Ed Li en ed',
    '[naam], bo en [naam] en ed',
  ],
  ['e-mail', 'mail jan.vanderberg@politie.nl gerust', 'mail [e-mail] gerust'],
  ['e-mail with plus and subdomain', 'write to a.b+x@mail.zone-x.be.', 'write to [e-mail].'],
  ['Dutch mobile', 'bel 06-12345678', 'bel [telefoon]'],
  ['Dutch mobile in pairs', 'tel. 06 12 34 56 78.', 'tel. [telefoon].'],
  ['Dutch mobile with dots', '06.12.34.56.78', '[telefoon]'],
  ['Dutch international', 'call +31 6 1234 5678 now', 'call [telefoon] now'],
  ['Dutch international with (0)', '+31 (0)6-12345678', '[telefoon]'],
  ['Dutch 0031', '0031 6 12 34 56 78', '[telefoon]'],
  ['Dutch landline', '010-1234567 of 020 123 4567', '[telefoon] of [telefoon]'],
  ['Belgian mobile', '0470 12 34 56', '[telefoon]'],
  ['Belgian mobile with slash', '0470/12.34.56', '[telefoon]'],
  ['Belgian international', '+32 470 12 34 56 en 0032 470 123 456', '[telefoon] en [telefoon]'],
  ['Belgian landline', '02 123 45 67 en 09/123.45.67', '[telefoon] en [telefoon]'],
  ['personnel numbers', 'NL123456 en be654321', '[nummer] en [nummer]'],
  ['a case number', 'zaak PL0900-2026123456 loopt', 'zaak [nummer] loopt'],
  ['a BVH-like number', 'BVH 2026123456', 'BVH [nummer]'],
  ['a bare six-digit number', 'my number is 123456', 'my number is [nummer]'],
  [
    'Dutch plates with dashes',
    '12-ABC-3 en AB-123-C en 99-xx-99',
    '[kenteken] en [kenteken] en [kenteken]',
  ],
  [
    'Dutch plates without dashes',
    '12ABC3 en AB123C en XX9999',
    '[kenteken] en [kenteken] en [kenteken]',
  ],
  ['Belgian plates', '1-ABC-234, 1ABC234 en ABC-123', '[kenteken], [kenteken] en [kenteken]'],
];

for (const [what, input, expected] of CASES) {
  scrub(`replaces ${what}`, () => {
    assert.is(run(input), expected);
  });
}

const UNTOUCHED = [
  'Ik werk al 12 jaar in dit team',
  'Op 3 mei was de briefing goed',
  'Op 01-05-2026 om 10:00 was het druk',
  'Tussen 12-05-2026 en 1.6.2026 draaiden we 14 nachtdiensten',
  'In 2019, 2020 en 2021 deden we 150 aanhoudingen',
  'We hebben 12345 kilometer gereden',
  'De score ging van 6,5 naar 7,8 (80%)',
  'I have worked in this team for 12 years',
  'The briefing on 3 May was good; we need Windows 11 and 2 more cars',
  'Ik wil graag minder overuren, en de bergen werk zijn te veel',
  'week12 en 120kmh en covid19 en mp3',
  'Ed en Bo zijn korte woorden',
];

for (const text of UNTOUCHED) {
  scrub(`leaves an ordinary sentence alone: "${text}"`, () => {
    assert.equal(scrubComment({ text, names: ROSTER }), { text, replaced: 0 });
  });
}

scrub('counts the placeholders it put in', () => {
  const result = scrubComment({
    text: 'Jan-Willem (06-12345678, jw@politie.nl) reed 12-ABC-3',
    names: ROSTER,
  });
  assert.is(result.replaced, 4);
});

scrub('does not touch placeholders that are already there, whatever the roster', () => {
  const text = Object.values(SCRUB_PLACEHOLDERS).join(' ');
  const names = [{ givenName: 'Naam', familyName: 'Telefoon' }];
  assert.equal(scrubComment({ text, names }), { text, replaced: 0 });
});

scrub('works without a roster', () => {
  assert.is(scrubComment({ text: 'Jan belt 0612345678', names: [] }).text, 'Jan belt [telefoon]');
});

scrub('imports nothing, so the browser runs the same code as the server', () => {
  const source = readFileSync(new URL('../src/scrub.ts', import.meta.url), 'utf8');
  assert.not.match(source, /^\s*import\s/m);
  assert.not.match(source, /\b(?:require|process|Buffer)\b/);
});

// ---- properties ----

const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const sep = fc.constantFrom(' ', '-', '.', '');

/** Splits digits into groups of 2 to 4 joined by one separator, as people write them. */
const grouped = (ds: string) =>
  fc
    .tuple(fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 6, maxLength: 6 }), sep)
    .map(([sizes, s]) => {
      const groups: string[] = [];
      let at = 0;
      for (const size of sizes) {
        if (at >= ds.length) break;
        groups.push(ds.slice(at, at + size));
        at += size;
      }
      return groups.join(s);
    });

/** Dutch and Belgian phone numbers: area or mobile prefix, then the subscriber digits grouped. */
const phone = fc
  .record({
    country: fc.constantFrom('NL', 'BE'),
    form: fc.constantFrom('national', '+', '00', '+(0)'),
    area: fc.constantFrom('6', '10', '20', '70', '111', '2', '9', '470', '499'),
    afterArea: fc.constantFrom(' ', '-', '/', '.', ''),
  })
  .chain(({ country, form, area, afterArea }) => {
    const total = country === 'NL' ? 9 : area.startsWith('4') ? 9 : 8;
    return digits(total - area.length).chain((rest) =>
      grouped(rest).map((subscriber) => {
        const code = country === 'NL' ? '31' : '32';
        const prefix =
          form === 'national'
            ? `0${area}`
            : form === '+'
              ? `+${code} ${area}`
              : form === '00'
                ? `00${code} ${area}`
                : `+${code} (0)${area}`;
        return `${prefix}${afterArea}${subscriber}`;
      }),
    );
  });

const word = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
  minLength: 1,
  maxLength: 8,
});

scrub('property: no digit of a phone number survives', () => {
  fc.assert(
    fc.property(word, phone, word, (before, p, after) => {
      const out = run(`${before} ${p} ${after}`);
      assert.not.ok(/\d/.test(out), `${p} -> ${out}`);
      assert.ok(out.includes(SCRUB_PLACEHOLDERS.phone), `${p} -> ${out}`);
    }),
  );
});

scrub('property: no e-mail address survives', () => {
  fc.assert(
    fc.property(word, fc.emailAddress(), word, (before, email, after) => {
      const out = run(`${before} ${email} ${after}`);
      assert.not.ok(out.includes(email), `${email} -> ${out}`);
      assert.not.ok(out.includes('@'), `${email} -> ${out}`);
    }),
  );
});

const piece = fc.oneof(
  word,
  phone,
  fc.emailAddress(),
  digits(6),
  fc.constantFrom(
    'Jan-Willem',
    'van der Berg',
    'El Amrani',
    '12-ABC-3',
    'NL123456',
    'PL0900-2026123456',
    '[naam]',
    '01-05-2026',
    '(0)',
    "'t",
  ),
  fc.string(),
);

scrub('property: scrubbing twice is scrubbing once', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(piece, fc.constantFrom(' ', '', '-', '.', ', ', '/'))),
      (parts) => {
        const text = parts.map(([p, s]) => p + s).join('');
        const once = scrubComment({ text, names: ROSTER });
        const twice = scrubComment({ text: once.text, names: ROSTER });
        assert.equal(twice, { text: once.text, replaced: 0 });
      },
    ),
  );
});

scrub('a scrubber built once for a roster scrubs each comment as scrubComment does', () => {
  const roster: RosterName[] = [
    { givenName: 'Fatima', familyName: 'El Idrissi' },
    { givenName: 'Jan', familyName: 'van der Berg' },
  ];
  const scrubber = createScrubber(roster);
  for (const text of [
    'Fatima El Idrissi belde 06-12345678',
    'Jan van der Berg en jan@politie.example',
    'Niets bijzonders vandaag',
  ]) {
    assert.equal(scrubber(text), scrubComment({ text, names: roster }));
  }
});

scrub.run();
