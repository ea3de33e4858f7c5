export * from './locales';
export * from './catalog';
export * from './translator';
