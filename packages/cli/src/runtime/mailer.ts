/** Mailer wiring from the parsed env: SES transport and the mailer's config. */
import { makeSesTransport, type MailTransport, type MailerConfig } from '@tickler/mailer';
import type { Env } from '../env';

export function mailerConfigOf(env: Env): MailerConfig {
  return {
    publicBaseUrl: env.publicBaseUrl,
    tokenSecrets: env.tokenSecrets,
    fromReminders: env.ses.fromReminders,
    fromNewsletter: env.ses.fromNewsletter,
    configurationSet: env.ses.configurationSet ?? undefined,
    supportEmail: env.supportEmail,
    newsletterTopics: env.newsletterTopics,
    reminderDigest: env.reminderDigest,
  };
}

/** SES v2 (SES_REGION; SES_ENDPOINT for a local SES, which gets dummy credentials). */
export function makeTransport(env: Env): MailTransport {
  return makeSesTransport({
    region: env.ses.region,
    endpoint: env.ses.endpoint ?? undefined,
    configurationSet: env.ses.configurationSet ?? undefined,
  });
}
