import { Type, type Static } from 'typebox';

/** Entity ids are random UUIDs: they reveal neither order nor counts. */
export const Id = Type.String({ format: 'uuid' });
/** Path parameters holding one id, e.g. IdParams('unitId') for /units/:unitId. */
export const IdParams = <K extends string>(name: K) =>
  Type.Object({ [name]: Id } as Record<K, typeof Id>, { additionalProperties: false });

export const LANGUAGES = ['nl', 'nl-BE', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LanguageSchema = Type.Enum(LANGUAGES);

/** A calendar date, YYYY-MM-DD. */
export const DateOnly = Type.String({ format: 'date' });
/** An instant, ISO 8601 in UTC. */
export const Instant = Type.String({ format: 'date-time' });

export const PagingQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
};

export const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object(
    {
      items: Type.Array(item),
      total: Type.Integer({ minimum: 0 }),
      page: Type.Integer({ minimum: 1 }),
      pageSize: Type.Integer({ minimum: 1 }),
    },
    { additionalProperties: false },
  );

export const NoContent = Type.Null();
export type IdString = Static<typeof Id>;
