/**
 * publint in strict mode (`npm run check:package`), with one deliberate exception: the fallback
 * arrays of package.json "imports" `#ioredis` and `#redis`. They are read by TypeScript alone (the
 * "types" condition; no code imports them at run time), whose resolution takes the first target that
 * resolves: the driver when it is installed, else the placeholder in dist/optional-peers/. That is
 * what lets a project with one driver type-check with `skipLibCheck: false`
 * (test/packaging/consumers.test.ts checks it under TypeScript 5.9 and 7).
 */
import { publint, type Message } from 'publint';
import { formatMessage } from 'publint/utils';

const OPTIONAL_DRIVER_TYPES = new Set(['#ioredis', '#redis']);

function accepted(message: Message): boolean {
  return message.code === 'IMPORTS_FALLBACK_ARRAY_USE' && message.path[0] === 'imports' && OPTIONAL_DRIVER_TYPES.has(message.path[1] ?? '');
}

const { messages, pkg } = await publint({ pkgDir: process.cwd(), strict: true, pack: 'npm' });
const reported = messages.filter((message) => !accepted(message));
for (const message of reported) console.log(`${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
const failing = reported.filter((message) => message.type !== 'suggestion');
console.log(`publint (strict): ${failing.length} error(s), ${reported.length - failing.length} suggestion(s), ${messages.length - reported.length} accepted (the optional drivers' type fallbacks)`);
if (failing.length > 0) process.exit(1);
