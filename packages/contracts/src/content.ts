import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/** What Teamspiegel measures (docs/content.md). Each item belongs to exactly one theme. */
export const THEMES = [
  'psychological_safety',
  'inclusion',
  'inclusive_leadership',
  'social_safety',
  'professional_checks',
  'allies_networks',
  'recommendation',
] as const;
export type Theme = (typeof THEMES)[number];
export const ThemeSchema = Type.Enum(THEMES);

/**
 * Response scales. Answers are stored as given:
 * - agree5: 1 strongly disagree .. 5 strongly agree
 * - zero_to_ten: 0 .. 10 (the recommendation question)
 * - frequency5: 1 never .. 5 very often
 */
export const SCALES = ['agree5', 'zero_to_ten', 'frequency5'] as const;
export type Scale = (typeof SCALES)[number];
export const ScaleSchema = Type.Enum(SCALES);

/** Lowest and highest answer of each scale; reverse-keyed answers are recoded (min + max) - x. */
export const SCALE_RANGE: Record<Scale, { readonly min: number; readonly max: number }> = {
  agree5: { min: 1, max: 5 },
  zero_to_ten: { min: 0, max: 10 },
  frequency5: { min: 1, max: 5 },
};

/**
 * The lowest level an item may be reported at (anonymity.md section 3):
 * - team: a team cell, K respondents
 * - unit: unit level and up only, never a single team
 * - incident: unit level and up with K_sens (20) respondents; bullying, discrimination...
 */
export const REPORTING_LEVELS = ['team', 'unit', 'incident'] as const;
export type ReportingLevel = (typeof REPORTING_LEVELS)[number];
export const ReportingLevelSchema = Type.Enum(REPORTING_LEVELS);

const CONTENT_ID_PATTERN = '^[a-z0-9][a-z0-9_.-]{1,40}$';
/** Item and pack ids: short, lowercase, stable across versions of a pack. */
export const ContentId = Type.String({ pattern: CONTENT_ID_PATTERN });

const ItemText = Type.String({ minLength: 1, maxLength: 300 });

/**
 * An item's wording. Dutch first; 'nl-BE' only where Flemish usage differs from nl-NL
 * (otherwise Belgian respondents see the nl text).
 */
export const ItemTexts = Type.Object(
  { nl: ItemText, 'nl-BE': Type.Optional(ItemText), en: ItemText },
  { additionalProperties: false },
);
export type ItemTexts = Static<typeof ItemTexts>;

/** The one placeholder an item text may hold: the organisation's term for the team lead. */
export const LEAD_PLACEHOLDER = '{lead}';

export const Item = Type.Object(
  {
    id: ContentId,
    theme: ThemeSchema,
    texts: ItemTexts,
    scale: ScaleSchema,
    /** A high raw answer is unfavourable; scoring recodes it before anything else. */
    reverseKeyed: Type.Boolean(),
    /** Offers "don't know / not applicable", a code of its own outside the scale. */
    dontKnow: Type.Boolean(),
    reportingLevel: ReportingLevelSchema,
    /** The texts contain {lead}, filled with "mijn teamchef", "mijn leidinggevende", "my team lead"... */
    leaderReferent: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Item = Static<typeof Item>;

export const LICENCE_STATUSES = ['owned', 'licensed', 'permission_granted', 'open'] as const;
export type LicenceStatus = (typeof LICENCE_STATUSES)[number];

export const Licence = Type.Object(
  {
    status: Type.Enum(LICENCE_STATUSES),
    /** Who holds the rights; required for 'licensed' and 'permission_granted'. */
    holder: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type Licence = Static<typeof Licence>;

export const TRANSLATION_STATUSES = ['original', 'translated', 'validated_translation'] as const;
export type TranslationStatus = (typeof TRANSLATION_STATUSES)[number];

/** The built-in bank, or an imported (licensed) instrument, as one JSON or YAML document. */
export const ContentPack = Type.Object(
  {
    id: ContentId,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    /** Citation of the instrument, or "Teamspiegel" for our own wording. */
    source: Type.String({ minLength: 1, maxLength: 500 }),
    doi: Type.Optional(Type.String({ pattern: '^10\\.[0-9]{4,9}/\\S+$' })),
    licence: Licence,
    translationStatus: Type.Enum(TRANSLATION_STATUSES),
    items: Type.Array(Item, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);
export type ContentPack = Static<typeof ContentPack>;

/** Why a content pack was refused; the web app translates each code. */
export const CONTENT_PROBLEM_CODES = [
  'schema',
  'duplicate_id',
  'missing_text',
  'empty_text',
  'lead_placeholder_missing',
  'lead_placeholder_unexpected',
  'unknown_placeholder',
  'incident_scale',
  'incident_dont_know',
  'social_safety_level',
  'recommendation_scale',
  'recommendation_level',
  'licence_holder',
  'identifying_question',
  'unknown_item',
  'anchor_level',
  'module_size',
] as const;
export type ContentProblemCode = (typeof CONTENT_PROBLEM_CODES)[number];

export const ContentProblem = Type.Object(
  {
    /** JSONPath of the offending value: `$.items[3].texts.en`. */
    path: Type.String(),
    code: Type.Enum(CONTENT_PROBLEM_CODES),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type ContentProblem = Static<typeof ContentProblem>;

/** A pack sent for checking or import, as the text of a JSON or YAML file. */
export const ContentPackUpload = Type.Object(
  {
    format: Type.Union([Type.Literal('json'), Type.Literal('yaml')]),
    text: Type.String({ minLength: 1, maxLength: 2_000_000 }),
  },
  { additionalProperties: false },
);
export type ContentPackUpload = Static<typeof ContentPackUpload>;

export const ContentPackCheck = Type.Object(
  { ok: Type.Boolean(), problems: Type.Array(ContentProblem) },
  { additionalProperties: false },
);
export type ContentPackCheck = Static<typeof ContentPackCheck>;

export const ContentPackSummary = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    source: Type.String(),
    licenceStatus: Type.Enum(LICENCE_STATUSES),
    items: Type.Integer({ minimum: 0 }),
    importedAt: Type.String(),
  },
  { additionalProperties: false },
);
export type ContentPackSummary = Static<typeof ContentPackSummary>;

/** A schema error as a JSON pointer (`/items/3/texts/en`) and a plain message. */
export interface ContentSchemaError {
  pointer: string;
  message: string;
}

/**
 * Every way `input` breaks the ContentPack schema, one entry per offending value.
 * It lives here because only this package depends on TypeBox; packages/core turns the
 * entries into ContentProblems beside its own rules.
 */
export function contentPackSchemaErrors(input: unknown): ContentSchemaError[] {
  const out: ContentSchemaError[] = [];
  for (const error of Value.Errors(ContentPack, input)) {
    const at = error.instancePath;
    const params = error.params as Record<string, unknown>;
    // Only the keywords this schema uses get a plainer message; the rest keep TypeBox's.
    const keyword: string = error.keyword;
    switch (keyword) {
      case 'boolean':
        // `additionalProperties: false` reports each extra key twice; the
        // 'additionalProperties' entry below names it.
        if (error.schemaPath.endsWith('/additionalProperties')) continue;
        out.push({ pointer: at, message: error.message });
        break;
      case 'required':
        for (const name of asStrings(params['requiredProperties'])) {
          out.push({ pointer: `${at}/${name}`, message: `"${name}" is required` });
        }
        break;
      case 'additionalProperties':
        for (const name of asStrings(params['additionalProperties'])) {
          out.push({ pointer: `${at}/${name}`, message: `"${name}" is not a known field` });
        }
        break;
      case 'enum':
        out.push({
          pointer: at,
          message: `must be one of: ${asStrings(params['allowedValues']).join(', ')}`,
        });
        break;
      case 'pattern':
        out.push({ pointer: at, message: patternMessage(String(params['pattern'])) });
        break;
      case 'type':
        out.push({ pointer: at, message: `must be ${article(String(params['type']))}` });
        break;
      case 'minLength':
        out.push({ pointer: at, message: 'must not be empty' });
        break;
      default:
        out.push({ pointer: at, message: error.message });
    }
  }
  return out;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function patternMessage(pattern: string): string {
  if (pattern === CONTENT_ID_PATTERN) {
    return 'must be 2 to 41 characters: lowercase letters, digits, "_", "." or "-"';
  }
  if (pattern.startsWith('^10\\.')) return 'must be a DOI such as 10.1000/182';
  return `must match ${pattern}`;
}
