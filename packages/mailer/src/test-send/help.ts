/** `--help` text of `templates send-test`, importable without loading the mailer (the CLI's --help stays fast). */
import { supportedLocales } from '../templates/locales';
import { SAMPLE_DESCRIPTIONS } from './samples';

export const SUPPORTED_LOCALES_HELP = supportedLocales().join(', ');

export const SAMPLES_HELP = `sample data: ${Object.entries(SAMPLE_DESCRIPTIONS).map(([name, what]) => `${name} (${what})`).join('; ')}`;
