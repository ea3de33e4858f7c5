export { loadTemplates, listTemplateNames, type TemplateSet, type CompiledTemplate, type LoadTemplatesOptions } from './load-templates';
export { REFERENCE_LOCALE, catalogFile } from './catalogs';
export { renderEmail, emailLocale, translator, TemplateDataError, type RenderedEmail } from './render-email';
export { checkTemplates, previewTemplates, PreviewOutputError, type PreviewFile } from './check-templates';
export { TemplateError, formatIssue, type TemplateIssue } from './compile-mjml';
export * from './schemas';
export { DEFAULT_LOCALE, isSupportedLocale, supportedLocales } from './locales';
export { displayDate, displayInstant } from './dates';
