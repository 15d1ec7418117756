export * from './access.ts';
export * from './org.ts';
export * from './auth.ts';
export * from './thresholds.ts';
export * from './tally.ts';
export * from './content/index.ts';
export * from './wave-plan.ts';
export * from './scrub.ts';
