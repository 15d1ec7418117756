/**
 * A13 (anonymity.md section 7): a content pack must not ask who someone is. A question about
 * which team, shift or station someone works in, or about their age, gender, origin, religion,
 * rank or years of service, splits a cell into groups of one or two and undoes every threshold.
 *
 * This is a tripwire, not a proof: it catches the ordinary ways such a question is written in
 * Dutch and English. The works council still reviews every pack before it is used.
 *
 * Two kinds of pattern:
 * - QUESTION patterns ask for membership or a personal attribute ("in welk team", "how old",
 *   "ik ben een vrouw"); they are always refused.
 * - ATTRIBUTE patterns are nouns for a personal attribute ("leeftijd", "gender", "religion").
 *   They are refused too, except as the grounds of treatment ("gediscrimineerd vanwege je
 *   afkomst", "regardless of rank") in an item reported at unit level or higher, where naming
 *   the grounds is how incident questions are asked and no team is small enough to single
 *   anyone out.
 */
import type { ReportingLevel } from '@teamspiegel/contracts';

export interface IdentifyingPattern {
  pattern: RegExp;
  /** Plain reason shown to whoever imports the pack. */
  reason: string;
}

// JavaScript's \b only knows ASCII letters, so "geïntimideerd" would hold a word boundary
// after "ge". These lookarounds treat every Unicode letter and digit as part of a word.
const START = '(?<![\\p{L}\\p{N}_])';
const END = '(?![\\p{L}\\p{N}_])';
const words = (source: string) => new RegExp(`${START}(?:${source})${END}`, 'iu');

/** Groups a person belongs to at work: asking which one is asking where they sit. */
const NL_GROUPS =
  'team|teams|eenheid|district|basisteam|bureau|politiebureau|post|wijk|wijkteam|dienst|' +
  'dienstgroep|ploeg|afdeling|zone|politiezone|regio|sectie|functie|rang|schaal|graad';
const EN_GROUPS =
  'teams?|units?|districts?|stations?|police station|shifts?|squads?|departments?|divisions?|' +
  'precincts?|zones?|regions?|sections?|watch|posts?|job\\s+title|ranks?|grades?|' +
  'age group|pay scale';
const POSSESSIVE_NL = 'je|jouw|uw|jullie';

export const QUESTION_PATTERNS: readonly IdentifyingPattern[] = [
  {
    pattern: words(`welke?\\s+(?:[\\p{L}-]+\\s+)?(?:${NL_GROUPS})`),
    reason: 'asks which team, unit, shift, station or rank someone belongs to',
  },
  {
    // "what my team lead says" is ordinary; "what team", "which police station" are not.
    pattern: words(
      `(?:which|what)\\s+(?!my${END}|your${END}|our${END}|the${END}|a${END})(?:[\\p{L}-]+\\s+)?(?:${EN_GROUPS})`,
    ),
    reason: 'asks which team, unit, shift, station or rank someone belongs to',
  },
  {
    // "what role" is ordinary English ("I know what role I play"); "which role" is not.
    pattern: words('which\\s+(?:[\\p{L}-]+\\s+)?roles?'),
    reason: 'asks which role someone has',
  },
  {
    pattern: words(`wat\\s+(?:is|zijn)\\s+(?:${POSSESSIVE_NL})`),
    reason: 'asks for a fact about the respondent',
  },
  {
    pattern: words('what\\s+(?:is|are)\\s+your'),
    reason: 'asks for a fact about the respondent',
  },
  {
    pattern: words(
      'waar\\s+(?:werk|werkt|woon|woont)\\s+(?:je|jij|u)|where\\s+do\\s+you\\s+(?:work|live)',
    ),
    reason: 'asks where the respondent works or lives',
  },
  {
    pattern: words('hoe\\s+oud|how\\s+old'),
    reason: 'asks for age',
  },
  {
    pattern: words(
      'hoe\\s+lang\\s+(?:werk|werkt|ben|zit)\\s+(?:je|jij|u)|how\\s+long\\s+have\\s+you\\s+(?:worked|been|served)',
    ),
    reason: 'asks for length of service',
  },
  {
    pattern: words(
      'dienstjaren|diensttijd|years?\\s+of\\s+service|length\\s+of\\s+service|' +
        'geboortejaar|geboortedatum|year\\s+of\\s+birth|date\\s+of\\s+birth',
    ),
    reason: 'asks for age or length of service',
  },
  {
    pattern: words(
      'personeelsnummer|stamnummer|registratienummer|' +
        '(?:employee|staff|badge|collar|service|payroll|personnel)\\s+number|' +
        `(?:${POSSESSIVE_NL})\\s+naam|your\\s+(?:full\\s+)?name|postcode|postal\\s+code|zip\\s+code|woonplaats`,
    ),
    reason: 'asks for a name, number or address that identifies the respondent',
  },
  {
    // "Ik ben een vrouw", "ik ben ouder dan 50", "I am a Muslim": a rating scale turns these
    // statements into demographic questions.
    pattern: words(
      'ik\\s+ben\\s+(?:een\\s+)?(?:man|vrouw|moslim|christen|jood|joods|hindoe|atheïst|homo|lesbisch|' +
        'biseksueel|transgender|non-binair|ouder\\s+dan|jonger\\s+dan|boven\\s+de\\s+\\d+|onder\\s+de\\s+\\d+|\\d+)',
    ),
    reason: 'asks the respondent to state a personal attribute',
  },
  {
    pattern: words(
      "i\\s*(?:am|'m)\\s+(?:a\\s+|an\\s+)?(?:man|woman|male|female|muslim|christian|jew|jewish|hindu|atheist|" +
        'gay|lesbian|bisexual|transgender|non-binary|older\\s+than|younger\\s+than|over\\s+\\d+|under\\s+\\d+|\\d+)',
    ),
    reason: 'asks the respondent to state a personal attribute',
  },
  {
    pattern: words(
      'ik\\s+werk\\s+(?:hier\\s+|al\\s+)*(?:langer|korter|meer|minder)\\s+dan|' +
        'ik\\s+werk\\s+(?:in\\s+)?(?:deeltijd|voltijd|parttime|fulltime|deeltijds|voltijds)|' +
        'i\\s+have\\s+(?:worked|served)\\s+(?:here\\s+)?(?:for\\s+)?(?:more|less|over|under)|' +
        'i\\s+work\\s+(?:part|full)[\\s-]?time',
    ),
    reason: 'asks for length of service or working hours',
  },
];

export const ATTRIBUTE_PATTERNS: readonly IdentifyingPattern[] = [
  { pattern: words('leeftijd|leeftijdsgroep|leeftijdscategorie|age|ages'), reason: 'mentions age' },
  { pattern: words('geslacht|gender|sekse|sex'), reason: 'mentions gender' },
  {
    pattern: words(
      'afkomst|herkomst|migratieachtergrond|etniciteit|etnische\\s+achtergrond|nationaliteit|' +
        'huidskleur|origin|ethnicity|ethnic\\s+background|nationality|race|skin\\s+colou?r|' +
        'migration\\s+background',
    ),
    reason: 'mentions origin',
  },
  {
    // Bare "geloof" is also the verb "ik geloof dat..." (I believe that...).
    pattern: words(
      'religie|(?<=(?:je|jouw|uw|mijn|zijn|haar|hun|het|iemands)\\s+)geloof|geloofsovertuiging|' +
        'levensbeschouwing|levensovertuiging|religion|religious\\s+belief',
    ),
    reason: 'mentions religion',
  },
  {
    pattern: words(
      'seksuele\\s+(?:geaardheid|oriëntatie|voorkeur)|geaardheid|sexual\\s+orientation|' +
        'genderidentiteit|gender\\s+identity',
    ),
    reason: 'mentions sexual orientation or gender identity',
  },
  {
    pattern: words('functiebeperking|handicap|disability|chronische\\s+ziekte|chronic\\s+illness'),
    reason: 'mentions disability',
  },
  {
    pattern: words('rang|rangen|rank|ranks|salarisschaal|loonschaal|pay\\s+grade|pay\\s+scale'),
    reason: 'mentions rank or pay grade',
  },
  {
    pattern: words('opleidingsniveau|education\\s+level|level\\s+of\\s+education'),
    reason: 'mentions education level',
  },
];

/**
 * Grounds of treatment right before an attribute noun, in the same clause: "vanwege je
 * afkomst", "om mijn geloof", "because of their gender", "regardless of rank".
 */
const GROUNDS = new RegExp(
  `${START}(?:vanwege|wegens|ongeacht|op\\s+grond\\s+van|because\\s+of|due\\s+to|regardless\\s+of|` +
    `irrespective\\s+of|based\\s+on|on\\s+(?:the\\s+)?grounds\\s+of)${END}[^.?!;:]{0,60}$|` +
    `${START}om\\s+(?:je|jouw|uw|mijn|zijn|haar|hun|iemands)\\s+$`,
  'iu',
);

/**
 * Characters that hide between letters or change how they look: format characters (soft
 * hyphen, zero-width space and joiner, direction marks), other controls except tab and line
 * ends, private-use and unassigned code points, and combining marks that NFKC could not fold
 * into a letter. "Hoe \u00ADoud ben je?" reads as "Hoe oud ben je?" but would slip past every
 * pattern above.
 */
const HIDDEN = /(?![\t\n\r])[\p{C}\p{M}]/u;

/**
 * Letters a Dutch, Flemish or English text needs: ASCII letters, with accents (they decompose
 * to an ASCII letter and marks) and a few Latin letters of their own. Anything else, a Cyrillic
 * "е" or a Latin dotless "ı", looks like a letter the patterns know and is not one.
 */
const LATIN_EXTRA = new Set('ßÆæØøŒœŁłĐđÐðÞþ');

export function isOrdinaryLatinLetter(letter: string): boolean {
  if (LATIN_EXTRA.has(letter)) return true;
  return /^[A-Za-z]$/.test(letter.normalize('NFD').replace(/\p{M}/gu, ''));
}

/** The first letter of `text` outside the ordinary Latin alphabet, or null. */
export function foreignLetter(text: string): string | null {
  for (const match of text.normalize('NFKC').matchAll(/\p{L}/gu)) {
    if (!isOrdinaryLatinLetter(match[0])) return match[0];
  }
  return null;
}

/** Whether `text` holds an invisible, control or stray combining character (after NFKC). */
export function hasHiddenCharacter(text: string): boolean {
  return HIDDEN.test(text.normalize('NFKC'));
}

export const HIDDEN_CHARACTER_REASON =
  'holds an invisible or combining character (such as a soft hyphen or a zero-width space), which could hide a question from this check';

export const FOREIGN_LETTER_REASON =
  'uses a letter outside the Latin alphabet (such as a Cyrillic letter that looks like a Latin one), which could hide a question from this check';

/**
 * A13: the reason an item text would identify its respondent, or null for an ordinary item.
 * `reportingLevel` decides whether an attribute named as grounds of treatment is allowed.
 *
 * The text is folded with NFKC (full-width and ligature letters become ordinary ones) and
 * matched with its hidden characters taken out, so a question is named for what it asks;
 * a text that still holds hidden characters or letters from another script is refused too,
 * since what a respondent reads would not be what was checked.
 */
export function identifyingReason(text: string, reportingLevel: ReportingLevel): string | null {
  const folded = text.normalize('NFKC');
  const normalised = folded.replace(new RegExp(HIDDEN.source, 'gu'), '').replace(/[’‘]/g, "'");
  for (const { pattern, reason } of QUESTION_PATTERNS) {
    if (pattern.test(normalised)) return reason;
  }
  for (const { pattern, reason } of ATTRIBUTE_PATTERNS) {
    const global = new RegExp(pattern.source, 'giu');
    for (const match of normalised.matchAll(global)) {
      const before = normalised.slice(0, match.index);
      const asGrounds = reportingLevel !== 'team' && GROUNDS.test(before);
      if (!asGrounds) return reason;
    }
  }
  if (HIDDEN.test(folded)) return HIDDEN_CHARACTER_REASON;
  if (foreignLetter(folded) !== null) return FOREIGN_LETTER_REASON;
  return null;
}
