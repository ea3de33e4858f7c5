/** @tickler/mailer: email templates, transports, the reminder and send processors, the mailer role. */
export type { MailerConfig } from './config';
export * from './templates';
export * from './transport';
export * from './test-send';
export { makeRedisSendBudget, makeSharedSendBudget, sendBudgetKey, SendBudgetExhaustedError, unlimitedSendBudget, DEFAULT_HORIZON_MS, type SendBudget, type SendBudgetOptions } from './budget';
export { makeReminderProcessor, type ReminderDeps, type ReminderOutcome } from './processors/reminder-processor';
export { makeSendProcessor, type SendDeps, type SendOutcome } from './processors/send-processor';
export { composeEmail, type ComposeDeps, type Composed } from './processors/compose';
export { listHeaders, unsubscribeUrl, preferencesUrl, confirmUrl, topicChangeUrl, renewUrl } from './processors/links';
export { startMailerRole, type MailerRole, type MailerRoleOptions } from './role/start-mailer-role';
export { makeTransportMetrics, serveMetrics, type TransportMetrics } from './metrics/transport-metrics';
