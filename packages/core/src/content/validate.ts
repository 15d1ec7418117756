/**
 * Content-pack validation: the schema, and the rules the schema cannot express. Every problem
 * is listed, each with the JSONPath of the value to fix, so an import is fixed in one round.
 */
import {
  contentPackSchemaErrors,
  LEAD_PLACEHOLDER,
  REPORTING_LEVELS,
  SCALES,
  type ContentPack,
  type ContentProblem,
  type ContentProblemCode,
} from '@teamspiegel/contracts';
import { identifyingReason } from './identifying.ts';
import { ANCHOR_ITEM_IDS, MODULES, TEAMSPIEGEL_PACK, type ProgrammeModule } from './item-bank.ts';

export type ContentValidation =
  { ok: true; pack: ContentPack } | { ok: false; problems: ContentProblem[] };

type Segment = string | number;

const TEXT_LANGUAGES = ['nl', 'nl-BE', 'en'] as const;
const REQUIRED_LANGUAGES = { nl: 'Dutch', en: 'English' } as const;
const PLACEHOLDER = /\{([^{}]*)\}/g;
/** Answer types that take free text rather than a point on a scale. */
const OPEN_ANSWER = /text|open|free|string|comment|essay|input|vrij|tekst/i;
const LICENCES_NEEDING_HOLDER = ['licensed', 'permission_granted'];

/**
 * Checks a content pack (parsed JSON or YAML) completely: schema shape, unique ids, texts
 * in nl and en, placeholders, incident and recommendation rules, licence holder, and A13
 * (no identifying or demographic questions). Never stops at the first problem.
 */
export function validateContentPack(input: unknown): ContentValidation {
  const own: Problem[] = [...packProblems(input)];
  const ownPaths = new Set(own.map((p) => jsonPath(p.at)));
  // Our own message is plainer than the schema's for the same value, so it wins.
  const schema: Problem[] = contentPackSchemaErrors(input)
    .map((e) => ({ at: fromPointer(e.pointer), code: 'schema' as const, message: e.message }))
    .filter((p) => !ownPaths.has(jsonPath(p.at)));
  const problems = dedupe([...schema, ...own]);
  if (problems.length === 0) return { ok: true, pack: input as ContentPack };
  return { ok: false, problems: sortByPath(problems).map(toContentProblem) };
}

/**
 * Checks a programme (anchors asked every wave, modules rotating over a quarter) against a
 * pack: every id exists, anchors are reportable at team level, modules hold 3 to 5 items
 * and repeat no anchor.
 */
export function validateProgramme(options: {
  pack: ContentPack;
  anchorItemIds: readonly string[];
  modules: readonly ProgrammeModule[];
}): ContentProblem[] {
  const { pack, anchorItemIds, modules } = options;
  const byId = new Map(pack.items.map((item) => [item.id, item]));
  const problems: Problem[] = [];
  anchorItemIds.forEach((id, k) => {
    const at = ['anchors', k];
    const item = byId.get(id);
    if (!item) {
      problems.push({ at, code: 'unknown_item', message: `no item "${id}" in the pack` });
    } else if (item.reportingLevel !== 'team') {
      problems.push({
        at,
        code: 'anchor_level',
        message: `"${id}" is reported at ${item.reportingLevel} level; anchors feed the team trend line and must be team-level items`,
      });
    }
  });
  modules.forEach((module, m) => {
    if (module.itemIds.length < 3 || module.itemIds.length > 5) {
      problems.push({
        at: ['modules', m, 'itemIds'],
        code: 'module_size',
        message: `a module holds 3 to 5 items, so a wave stays at 6 to 8; "${module.id}" holds ${module.itemIds.length}`,
      });
    }
    module.itemIds.forEach((id, k) => {
      const at = ['modules', m, 'itemIds', k];
      if (!byId.has(id)) {
        problems.push({ at, code: 'unknown_item', message: `no item "${id}" in the pack` });
      } else if (anchorItemIds.includes(id)) {
        problems.push({ at, code: 'duplicate_id', message: `"${id}" is already an anchor` });
      }
    });
  });
  return problems.map(toContentProblem);
}

/** The built-in bank and its default programme pass every check an imported pack must pass. */
export function validateItemBank(): ContentValidation {
  const result = validateContentPack(TEAMSPIEGEL_PACK);
  if (!result.ok) return result;
  const programme = validateProgramme({
    pack: result.pack,
    anchorItemIds: ANCHOR_ITEM_IDS,
    modules: MODULES,
  });
  return programme.length > 0 ? { ok: false, problems: programme } : result;
}

interface Problem {
  at: Segment[];
  code: ContentProblemCode;
  message: string;
}

function* packProblems(input: unknown): Generator<Problem> {
  if (!isRecord(input)) return; // the schema says what it should be
  const licence = input['licence'];
  if (isRecord(licence) && LICENCES_NEEDING_HOLDER.includes(String(licence['status']))) {
    const holder = licence['holder'];
    if (typeof holder !== 'string' || holder.trim() === '') {
      yield {
        at: ['licence', 'holder'],
        code: 'licence_holder',
        message: `a ${String(licence['status'])} instrument must name who holds the rights`,
      };
    }
  }
  const items = input['items'];
  if (!Array.isArray(items)) return;
  const firstIndexOf = new Map<string, number>();
  for (const [i, item] of items.entries()) {
    if (!isRecord(item)) continue;
    const id = item['id'];
    if (typeof id === 'string') {
      const first = firstIndexOf.get(id);
      if (first === undefined) firstIndexOf.set(id, i);
      else {
        yield {
          at: ['items', i, 'id'],
          code: 'duplicate_id',
          message: `"${id}" is already the id of ${jsonPath(['items', first])}`,
        };
      }
    }
    yield* itemProblems(item, i);
  }
}

function* itemProblems(item: Record<string, unknown>, i: number): Generator<Problem> {
  const at = (...rest: Segment[]): Segment[] => ['items', i, ...rest];
  const theme = item['theme'];
  const scale = oneOf(item['scale'], SCALES);
  const level = oneOf(item['reportingLevel'], REPORTING_LEVELS);

  // A13: the one optional comment at the end of a wave is the only free text; an item with an
  // open answer would invite a name, a team or a story only one person can tell.
  const answerType = [item['scale'], item['type'], item['answerType']].find(
    (v): v is string => typeof v === 'string' && OPEN_ANSWER.test(v),
  );
  if (answerType !== undefined) {
    yield {
      at: at(
        item['scale'] === answerType
          ? 'scale'
          : item['type'] === answerType
            ? 'type'
            : 'answerType',
      ),
      code: 'identifying_question',
      message: `refused: "${answerType}" is an open answer; items are answered on a scale and the only free text is the one optional comment (A13)`,
    };
  }
  if (level === 'incident') {
    if (scale && scale !== 'frequency5') {
      yield {
        at: at('scale'),
        code: 'incident_scale',
        message: `incident items ask how often something happened and must use frequency5, not ${scale}`,
      };
    }
    if (item['dontKnow'] === false) {
      yield {
        at: at('dontKnow'),
        code: 'incident_dont_know',
        message: 'incident items must offer "don\'t know / not applicable"',
      };
    }
  }
  if (theme === 'social_safety' && level === 'team') {
    yield {
      at: at('reportingLevel'),
      code: 'social_safety_level',
      message:
        scale === 'frequency5'
          ? 'a social-safety frequency item asks about incidents and must be reported at incident level'
          : 'social-safety items are reported at unit level and up, never for one team',
    };
  } else if (theme === 'social_safety' && level === 'unit' && scale === 'frequency5') {
    yield {
      at: at('reportingLevel'),
      code: 'social_safety_level',
      message:
        'a social-safety frequency item asks about incidents and must be reported at incident level',
    };
  }
  if (theme === 'recommendation') {
    if (scale && scale !== 'zero_to_ten') {
      yield {
        at: at('scale'),
        code: 'recommendation_scale',
        message: `the recommendation question uses zero_to_ten, not ${scale}`,
      };
    }
    if (level === 'team') {
      yield {
        at: at('reportingLevel'),
        code: 'recommendation_level',
        message: 'the recommendation question is reported at unit level and up, never for one team',
      };
    }
  }

  const texts = item['texts'];
  if (!isRecord(texts)) return; // missing or malformed: the schema says so once
  for (const [language, name] of Object.entries(REQUIRED_LANGUAGES)) {
    if (texts[language] === undefined) {
      yield {
        at: at('texts', language),
        code: 'missing_text',
        message: `the ${name} text is missing`,
      };
    }
  }
  const leaderReferent = item['leaderReferent'];
  for (const language of TEXT_LANGUAGES) {
    const text = texts[language];
    if (typeof text !== 'string') continue;
    const where = at('texts', language);
    if (text.trim() === '') {
      yield { at: where, code: 'empty_text', message: 'the text is empty' };
      continue;
    }
    const names = [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
    const unknown = [...new Set(names.filter((n) => `{${n}}` !== LEAD_PLACEHOLDER))];
    if (unknown.length > 0) {
      yield {
        at: where,
        code: 'unknown_placeholder',
        message: `unknown placeholder ${unknown.map((n) => `{${n}}`).join(', ')}; only ${LEAD_PLACEHOLDER} is filled in`,
      };
    }
    const hasLead = text.includes(LEAD_PLACEHOLDER);
    if (leaderReferent === true && !hasLead) {
      yield {
        at: where,
        code: 'lead_placeholder_missing',
        message: `a leader item names the lead as ${LEAD_PLACEHOLDER} in every language`,
      };
    } else if (leaderReferent === false && hasLead) {
      yield {
        at: where,
        code: 'lead_placeholder_unexpected',
        message: `the text holds ${LEAD_PLACEHOLDER} but the item is not marked leaderReferent`,
      };
    }
    // An unknown level is judged as the strictest one, team.
    const reason = identifyingReason(text, level ?? 'team');
    if (reason) {
      yield {
        at: where,
        code: 'identifying_question',
        message: `refused: the text ${reason}; Teamspiegel never asks who someone is (A13)`,
      };
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(value: unknown, list: readonly T[]): T | undefined {
  return list.find((entry) => entry === value);
}

/** '/items/3/texts/nl-BE' -> ['items', 3, 'texts', 'nl-BE'] (RFC 6901 escapes undone). */
function fromPointer(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** ['items', 3, 'texts', 'nl-BE'] -> "$.items[3].texts['nl-BE']" */
function jsonPath(segments: readonly Segment[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += `.${s}`;
    else out += `['${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}']`;
  }
  return out;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${jsonPath(p.at)}\u0000${p.code}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Sibling fields sort in schema order, unknown fields after them; stable within one path.
const FIELD_ORDER = [
  'id',
  'title',
  'source',
  'doi',
  'licence',
  'status',
  'holder',
  'note',
  'translationStatus',
  'items',
  'theme',
  'texts',
  'nl',
  'nl-BE',
  'en',
  'scale',
  'reverseKeyed',
  'dontKnow',
  'reportingLevel',
  'leaderReferent',
];

/** Document order: pack fields first, then item by item. */
function sortByPath(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => compareSegments(a.at, b.at));
}

function compareSegments(a: readonly Segment[], b: readonly Segment[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return 1;
    if (typeof y === 'number') return -1;
    const rank = (f: string) =>
      FIELD_ORDER.includes(f) ? FIELD_ORDER.indexOf(f) : FIELD_ORDER.length;
    if (rank(x) !== rank(y)) return rank(x) - rank(y);
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function toContentProblem(p: Problem): ContentProblem {
  return { path: jsonPath(p.at), code: p.code, message: p.message };
}
