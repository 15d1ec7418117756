import type { ImportChange, ImportRejectedRow } from '@teamspiegel/contracts';
import { nl } from '../../../lib/i18n/nl.ts';
import type { MessageKey, Params } from '../../../lib/i18n/translate.ts';

/** The page's translate function (t), passed in so the wording can be tested per language. */
export type Translate = (key: MessageKey, params?: Params) => string;

/**
 * A rejected row's details in the reader's language, from the reason's value-free params: the
 * other lines involved, a length limit, the kinds that may not nest. Never the API's English text.
 */
export function rejectionDetail(t: Translate, row: ImportRejectedRow): string {
  const p = row.reason.params;
  if (!p) return '';
  const parts: string[] = [];
  if (p.kind && p.parentKind)
    parts.push(
      t('import.detail.kindUnder', {
        kind: t(`unitKind.${p.kind}`),
        parent: t(`unitKind.${p.parentKind}`),
      }),
    );
  if (p.maxLength) parts.push(t('import.detail.maxLength', { count: p.maxLength }));
  if (p.lines?.length) {
    const lines = p.lines.join(', ');
    parts.push(
      p.inFile
        ? t('import.detail.linesIn', {
            count: p.lines.length,
            lines,
            file: t(`import.kind.${p.inFile}`),
          })
        : t('import.detail.lines', { count: p.lines.length, lines }),
    );
  }
  return parts.join(' · ');
}

const FIELD_LABELS: Record<string, MessageKey> = {
  name: 'field.name',
  kind: 'field.kind',
  parent: 'import.field.parent',
  archived: 'import.field.archived',
  givenName: 'field.givenName',
  familyName: 'field.familyName',
  email: 'field.email',
  language: 'field.language',
  active: 'import.field.active',
  unit: 'import.field.unit',
  start: 'import.field.start',
  end: 'import.field.end',
  reason: 'import.field.reason',
};

const VALUE_KEYS: Record<string, (value: string) => MessageKey | undefined> = {
  kind: (v) => `unitKind.${v}` as MessageKey,
  language: (v) => `lang.${v}` as MessageKey,
  active: (v) => (v === 'yes' ? 'common.yes' : v === 'no' ? 'common.no' : undefined),
  archived: (v) => (v === 'yes' ? 'common.yes' : v === 'no' ? 'common.no' : undefined),
  reason: (v) => `import.endReason.${v}` as MessageKey,
};

/** A field's value in the reader's language where it is a code (unit kind, language, yes/no). */
function fieldValue(t: Translate, field: string, value: string | null): string {
  if (value === null) return t('common.none');
  const key = VALUE_KEYS[field]?.(value);
  // A value that is no known code (a name, a date) is shown as it is.
  return key && Object.prototype.hasOwnProperty.call(nl, key) ? t(key) : value;
}

/** A planned change's fields as "Label: from → to" in the reader's language. */
export function changeFields(t: Translate, change: ImportChange): string {
  return (change.fields ?? [])
    .map((f) => {
      const key = FIELD_LABELS[f.field];
      const label = key ? t(key) : f.field;
      return `${label}: ${fieldValue(t, f.field, f.from)} → ${fieldValue(t, f.field, f.to)}`;
    })
    .join(' · ');
}

/** A membership change's label ("person → unit (member)") with the role in the reader's language. */
export function changeLabel(t: Translate, change: ImportChange): string {
  if (change.kind !== 'membership') return change.label;
  return change.label.replace(
    / \((member|lead)\)$/,
    (_, role: 'member' | 'lead') => ` (${t(`membership.${role}`).toLowerCase()})`,
  );
}
