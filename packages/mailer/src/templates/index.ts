export { loadTemplates, listTemplateNames, type TemplateSet, type CompiledTemplate } from './load-templates';
export { renderEmail, TemplateDataError, type RenderedEmail } from './render-email';
export { checkTemplates, previewTemplates, type PreviewFile } from './check-templates';
export { TemplateError, formatIssue, type TemplateIssue } from './compile-mjml';
export * from './schemas';
export { DEFAULT_LOCALE, isSupportedLocale, supportedLocales } from './locales';
