export { DEFAULT_SAMPLE, LONG_SAMPLE, LONGEST_ADDRESS, SAMPLE_DESCRIPTIONS, sampleData, sampleNames } from './samples';
export {
  listPreviews, makeTemplatePreviews, renderTestEmail, resolveTestRequest, testAddress, TestSendInputError, type PreviewEntry, type TemplatePreviews, type TestEmailRequest,
} from './render-test-email';
export { previewTemplates, PreviewOutputError, type PreviewFile } from './preview-files';
export { testSendValues } from './test-values';
export { composeTestEmail, makeTestSendProcessor, sendTestEmail, TEST_SUBJECT_PREFIX, type TestSendDeps, type TestSendProcessorDeps, type TestSendOutcome } from './send-test-email';
