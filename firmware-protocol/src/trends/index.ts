export * from './civil-days.js';
export * from './rollup-row.js';
export * from './urgent.js';
export * from './value-stats.js';
