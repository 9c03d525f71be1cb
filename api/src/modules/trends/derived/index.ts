export * from './bmi.js';
export * from './heart-rate-zones.js';
export * from './resting-heart-rate.js';
export type { DayRange, SeriesPoint } from './series.js';
export * from './weight-trend.js';
