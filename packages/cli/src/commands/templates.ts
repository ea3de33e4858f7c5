import path from 'node:path';
import { toOneLine } from '@tickler/domain';
import { checkPageCatalogs } from '@tickler/http';
import {
  checkTemplates, formatIssue, loadTemplates, previewTemplates, PreviewOutputError, resolveTestRequest, sendTestEmail, testAddress, TestSendInputError, type TestEmailRequest,
} from '@tickler/mailer';
import type { Env } from '../env';
import { CliError } from '../runtime/errors';
import { makeLogger } from '../runtime/logger';
import { makeTransport, mailerConfigOf } from '../runtime/mailer';
import { readableTemplatesDir } from '../runtime/templates-dir';
import { withStore } from '../runtime/with-runtime';

/**
 * `tickler templates check`: compiles every template strictly and compares every locale's messages
 * (emails: `<TEMPLATES_DIR>/messages/<locale>.json`; recipient pages: the HTTP package's catalogs)
 * with `en`'s; one line per problem, non-zero on any.
 */
export async function templatesCheckCommand(env: Env): Promise<void> {
  const issues = (await checkTemplates(await readableTemplatesDir(env))).map(formatIssue);
  for (const issue of checkPageCatalogs()) issues.push(`recipient pages [${issue.locale}] ${issue.key}: ${issue.message}`);
  if (issues.length > 0) {
    for (const issue of issues) process.stderr.write(`${issue}\n`);
    throw new CliError(`${issues.length} template problem${issues.length === 1 ? '' : 's'} in ${path.resolve(env.templatesDir)}`);
  }
  process.stdout.write(`templates OK (${path.resolve(env.templatesDir)})\n`);
}

/** `tickler templates preview [--out DIR]`: renders every template and language with each of its samples (the names `send-test --sample` takes). */
export async function templatesPreviewCommand(env: Env, opts: { out: string }): Promise<void> {
  const files = await previewTemplates(await readableTemplatesDir(env), opts.out).catch((error: unknown) => {
    throw error instanceof PreviewOutputError ? new CliError(`--out: ${error.message}`) : error;
  });
  for (const f of files) process.stdout.write(`${f.template} (sample ${f.sample}, ${f.locale}): ${f.subject}
  ${f.html}
`);
  process.stdout.write(`${files.length} previews written; open ${path.join(path.resolve(opts.out), 'index.html')}\n`);
}

/**
 * `tickler templates send-test --template NAME --to ADDRESS [--locale L] [--sample NAME]`: one real
 * `[TEST]` email through the configured SES, recorded in `test_sends` (never in the reminders
 * ledger or the deliveries). A bad template, locale, sample or address is refused before anything
 * is written.
 */
export async function templatesSendTestCommand(env: Env, opts: TestEmailRequest & { to: string }): Promise<void> {
  const templates = await loadTemplates(await readableTemplatesDir(env));
  const request: TestEmailRequest = { template: opts.template, locale: opts.locale, sample: opts.sample };
  let to: string;
  try {
    resolveTestRequest(templates, request);
    to = testAddress(opts.to);
  } catch (error) {
    if (error instanceof TestSendInputError) throw new CliError(error.message);
    throw error;
  }
  const transport = makeTransport(env);
  try {
    await withStore(env, async (store) => {
      const now = () => new Date();
      const row = await store.testSends.create({ ...request, email: to, requestedBy: 'cli' }, now());
      process.stdout.write(`test send #${row.id}: ${request.template} (locale ${request.locale}, sample ${request.sample}) to ${to} …\n`);
      const deps = { store, templates, config: mailerConfigOf(env), transport, logger: makeLogger(env, 'stderr'), now };
      const outcome = await sendTestEmail(deps, row.id).catch((error: Error) => {
        throw new CliError(`test send #${row.id} to ${to} failed: ${toOneLine(error.message)}`);
      });
      if (outcome.status !== 'sent') throw new CliError(`test send #${row.id} was already ${outcome.previous}`);
      process.stdout.write(`sent "${outcome.subject}" to ${to}: message id ${outcome.messageId}\n`);
    });
  } finally {
    await transport.close?.();
  }
}
