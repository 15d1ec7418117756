export * from './dates.ts';
export * from './columns.ts';
export * from './rows.ts';
export * from './plan.ts';
