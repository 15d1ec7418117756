/**
 * Comment scrubbing (anonymity.md section 5, attack A20): identifying details in free text are
 * replaced by placeholders before a comment is stored, in the browser as a live preview and
 * again on the server. Pure string code with no Node APIs, so the same module runs in both.
 *
 * Placeholders are Dutch words in brackets, the same in every interface language, so a comment
 * reads the same to every reader and a scrubbed text can be scrubbed again without change:
 *
 * | placeholder  | replaces                                                                |
 * |--------------|-------------------------------------------------------------------------|
 * | `[e-mail]`   | e-mail addresses                                                        |
 * | `[nummer]`   | personnel, case and registration numbers: letters then 5+ digits        |
 * |              | (NL123456, PL0900-2026123456) and any run of 6 or more digits           |
 * | `[telefoon]` | phone numbers: +31/0031/+32/0032 or a national 0, 9 or 10 digits,       |
 * |              | grouped with spaces, dashes, dots or slashes                            |
 * | `[kenteken]` | Dutch sidecodes 1-14 and Belgian plates (1-ABC-234, ABC-123, 123-ABC)   |
 * | `[naam]`     | names from the organisation's own roster                                |
 *
 * Rules run in this order: e-mail (an address holds names and digits), letters-then-digits
 * numbers, phones, plates, remaining digit runs, names. Each sees only text that is not yet a
 * placeholder, and the whole pass repeats until nothing changes, so scrubbing is idempotent by
 * construction.
 *
 * Names: a person's full name, family name with its particles ("van der Berg"), family name
 * without them ("Berg"), given name, and each part of a compound given name, matched on whole
 * words, case- and accent-insensitively, longest first, with spaces, hyphens or apostrophes
 * between words ("Jan-Willem", "Ben 't Hart"). A variant of two letters or fewer on its own
 * ("Bo", "Li") is not matched: such words are too often ordinary text; they are still caught
 * inside a full name ("Bo de Vries"). Names that are also common words ("de Groot", "Visser",
 * "Wil") do cost false positives such as "een groot team": for anonymity, scrubbing too much
 * beats too little.
 *
 * Kept on purpose: dates (12-05-2026, 3 mei), times, years and other numbers of up to 5 digits.
 * Plates written without dashes are only recognised in capitals ("12ABC3"), so that "week12" or
 * "120kmh" stay; with dashes any case counts.
 */

export interface RosterName {
  givenName: string;
  familyName: string;
}

export interface ScrubOptions {
  text: string;
  /** Everyone on the organisation's roster. */
  names: readonly RosterName[];
}

export interface ScrubResult {
  text: string;
  /** How many placeholders were put in. */
  replaced: number;
}

export const SCRUB_PLACEHOLDERS = {
  name: '[naam]',
  email: '[e-mail]',
  phone: '[telefoon]',
  number: '[nummer]',
  plate: '[kenteken]',
} as const;

const PLACEHOLDER_SPLIT = /(\[(?:naam|e-mail|telefoon|nummer|kenteken)\])/;

/** Family-name particles, lower case: "van der", "de", "ten", "El", "Ben", "d'" and so on. */
const PARTICLES = new Set([
  'van',
  'de',
  'der',
  'den',
  'het',
  't',
  'te',
  'ter',
  'ten',
  'op',
  'in',
  'aan',
  'uit',
  'vd',
  'la',
  'le',
  'du',
  'des',
  'di',
  'da',
  'dos',
  'das',
  'del',
  'della',
  'von',
  'zu',
  'el',
  'al',
  'ben',
  'bin',
  'ibn',
  'abu',
]);

const NOT_DIGIT_BEFORE = '(?<!\\p{N})';
const NOT_DIGIT_AFTER = '(?!\\p{N})';
const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}])';

const EMAIL = /[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

/** Letters then digits (personnel, case, BVH numbers); kept when it has fewer than 5 digits. */
const LETTERS_DIGITS = new RegExp(
  `${NOT_WORD_BEFORE}\\p{L}{1,5}-?\\d+(?:[-/.]\\d+)*${NOT_DIGIT_AFTER}`,
  'gu',
);

const SEP = '[ .\\-/]?';
/** A date at the start of a phone-like digit group: 01-05-2026, 1.5.2026. */
const DATE_AHEAD =
  '(?!(?:0?[1-9]|[12]\\d|3[01])([-./])(?:0?[1-9]|1[0-2])\\1\\d{4}' + NOT_DIGIT_AFTER + ')';
const PHONE = new RegExp(
  // Not inside another group of digits ("2026 06..." is a date and a number, not a phone).
  `(?<!\\p{N}[ .\\-/]?)(?<!\\+)` +
    `(?:(?:\\+|00)\\s?\\d{1,3}(?:\\s?\\(0\\))?(?:${SEP}\\d){6,12}` +
    `|${DATE_AHEAD}0\\d(?:${SEP}\\d){7,8})${NOT_DIGIT_AFTER}`,
  'gu',
);

/** Dutch sidecodes 1-14 and Belgian plates, as letter (L) and digit (D) group lengths. */
const PLATE_GROUPS: readonly string[][] = [
  ['L2', 'D2', 'D2'],
  ['D2', 'D2', 'L2'],
  ['D2', 'L2', 'D2'],
  ['L2', 'D2', 'L2'],
  ['L2', 'L2', 'D2'],
  ['D2', 'L2', 'L2'],
  ['D2', 'L3', 'D1'],
  ['D1', 'L3', 'D2'],
  ['L2', 'D3', 'L1'],
  ['L1', 'D3', 'L2'],
  ['L3', 'D2', 'L1'],
  ['L1', 'D2', 'L3'],
  ['D1', 'L2', 'D3'],
  ['D3', 'L2', 'D1'],
  ['D1', 'L3', 'D3'],
  ['L3', 'D3'],
  ['D3', 'L3'],
];
const plateRegex = (separator: string, letter: string, flags: string): RegExp => {
  const group = (g: string) => `${g[0] === 'L' ? letter : '\\d'}{${g.slice(1)}}`;
  const forms = PLATE_GROUPS.map((groups) => groups.map(group).join(separator));
  return new RegExp(`${NOT_WORD_BEFORE}(?:${forms.join('|')})${NOT_WORD_AFTER}`, flags);
};
const PLATE_DASHED = plateRegex('-', '[a-z]', 'giu');
const PLATE_SOLID = plateRegex('', '[A-Z]', 'gu');

const DIGIT_RUN = new RegExp(`${NOT_DIGIT_BEFORE}\\d{6,}${NOT_DIGIT_AFTER}`, 'gu');

const digitCount = (s: string): number => s.replace(/\D/g, '').length;

interface PatternRule {
  pattern: RegExp;
  placeholder: string;
  /** A match that fails this is left as it is. */
  keep?: (match: string) => boolean;
}

const PATTERN_RULES: readonly PatternRule[] = [
  { pattern: EMAIL, placeholder: SCRUB_PLACEHOLDERS.email },
  {
    pattern: LETTERS_DIGITS,
    placeholder: SCRUB_PLACEHOLDERS.number,
    keep: (m) => digitCount(m) >= 5,
  },
  { pattern: PHONE, placeholder: SCRUB_PLACEHOLDERS.phone },
  { pattern: PLATE_DASHED, placeholder: SCRUB_PLACEHOLDERS.plate },
  { pattern: PLATE_SOLID, placeholder: SCRUB_PLACEHOLDERS.plate },
  { pattern: DIGIT_RUN, placeholder: SCRUB_PLACEHOLDERS.number },
];

/** Section 5 (A20): roster names, e-mail, phone, personnel, case and plate numbers replaced. */
export function scrubComment(options: ScrubOptions): ScrubResult {
  return createScrubber(options.names)(options.text);
}

/**
 * Section 5 (A20), for many comments against one roster: the name index is built once (it
 * costs tens of milliseconds for a corps of 65,000), then each comment is scrubbed with it.
 */
export function createScrubber(roster: readonly RosterName[]): (text: string) => ScrubResult {
  const names = nameIndex(roster);
  return (original) => {
    let text = original.normalize('NFC');
    let replaced = 0;
    for (;;) {
      const pass = scrubOnce(text, names);
      if (pass.replaced === 0) return { text, replaced };
      text = pass.text;
      replaced += pass.replaced;
    }
  };
}

function scrubOnce(text: string, names: NameIndex): ScrubResult {
  let replaced = 0;
  // Odd parts are placeholders; rules only ever see the even parts, the text between them.
  // Splitting a replaced part gives an odd number of parts, so the parity holds.
  let parts = text.split(PLACEHOLDER_SPLIT);
  const apply = (replace: (segment: string) => string) => {
    parts = parts.flatMap((part, i) =>
      i % 2 === 1 ? [part] : replace(part).split(PLACEHOLDER_SPLIT),
    );
  };
  for (const rule of PATTERN_RULES) {
    apply((segment) =>
      segment.replace(rule.pattern, (match) => {
        if (rule.keep !== undefined && !rule.keep(match)) return match;
        replaced++;
        return rule.placeholder;
      }),
    );
  }
  apply((segment) => {
    const result = replaceNames(segment, names);
    replaced += result.replaced;
    return result.text;
  });
  return { text: parts.join(''), replaced };
}

interface NameIndex {
  /** Normalised variants, words joined by one space. */
  variants: Set<string>;
  /** Most words in any variant. */
  longest: number;
}

/** Lower case, without accents (Turkish ı as i), curly apostrophes straightened. */
const fold = (word: string): string =>
  word
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘]/g, "'")
    .toLowerCase()
    .replace(/ı/g, 'i');

/** Words: letters and digits, with apostrophes inside ("d'Ancona"); hyphens separate words. */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*/gu;

const wordsOf = (s: string): string[] => (s.match(WORD) ?? []).map(fold);

const letterCount = (words: readonly string[]): number =>
  words.reduce((n, w) => n + w.replace(/[^\p{L}]/gu, '').length, 0);

function nameIndex(names: readonly RosterName[]): NameIndex {
  const variants = new Set<string>();
  let longest = 0;
  const add = (words: readonly string[]) => {
    if (letterCount(words) <= 2) return;
    variants.add(words.join(' '));
    longest = Math.max(longest, words.length);
  };
  for (const name of names) {
    const given = wordsOf(name.givenName);
    const family = wordsOf(name.familyName);
    let core = 0;
    while (core < family.length - 1 && PARTICLES.has(family[core]!)) core++;
    add([...given, ...family]);
    // A family name of particles only ("De") is too much like ordinary text on its own.
    if (!family.every((w) => PARTICLES.has(w))) {
      add(family);
      add(family.slice(core));
    }
    add(given);
    for (const part of given) add([part]);
  }
  return { variants, longest };
}

/** Longest roster name first at each word; only spaces, hyphens, apostrophes between its words. */
function replaceNames(segment: string, names: NameIndex): ScrubResult {
  if (names.variants.size === 0) return { text: segment, replaced: 0 };
  const words = [...segment.matchAll(WORD)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    folded: fold(m[0]),
  }));
  let out = '';
  let at = 0;
  let replaced = 0;
  for (let i = 0; i < words.length;) {
    let matched = 0;
    for (let n = Math.min(names.longest, words.length - i); n > 0 && matched === 0; n--) {
      const span = words.slice(i, i + n);
      const joinedBySpaces = span.every(
        (w, k) => k === 0 || /^[\s'’-]+$/u.test(segment.slice(span[k - 1]!.end, w.start)),
      );
      if (joinedBySpaces && names.variants.has(span.map((w) => w.folded).join(' '))) matched = n;
    }
    if (matched === 0) {
      i++;
      continue;
    }
    out += segment.slice(at, words[i]!.start) + SCRUB_PLACEHOLDERS.name;
    at = words[i + matched - 1]!.end;
    replaced++;
    i += matched;
  }
  return { text: out + segment.slice(at), replaced };
}
