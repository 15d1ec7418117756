import type { Kysely } from 'kysely';

// Frozen in time: never import application code here (house style 7).

export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
