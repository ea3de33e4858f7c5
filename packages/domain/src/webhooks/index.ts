export * from './billing';
export * from './sns';
export * from './ses-event';
