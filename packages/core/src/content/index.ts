export * from './item-bank.ts';
export * from './identifying.ts';
export * from './validate.ts';
export * from './render.ts';
