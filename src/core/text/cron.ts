/**
 * cron-parser, with luxon (its date library) told the locale up front.
 * Without one, luxon asks Intl for the system locale on the first date it
 * builds, and that first Intl call loads ICU's locale data: ~60-100 ms of
 * every `mlci validate` start on a file with a schedule. Cron arithmetic
 * does not depend on the locale (nothing here formats a date).
 */
import { CronExpressionParser } from 'cron-parser';
// require(), not import: cron-parser is CommonJS and require()s luxon's
// CommonJS build; an import would bundle luxon's ES build, a second copy
// whose settings cron-parser never reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: must be the CommonJS copy
import luxon = require('luxon');

luxon.Settings.defaultLocale = 'en-US';

export { CronExpressionParser };
