/**
 * Where are the keys? `describeCommand` answers for any command line, with no namespace and no
 * server: the audit CLI builds on it. Run: npx tsx examples/describe-command.ts SORT l BY w_* STORE d
 */
import { describeCommand } from '../src/index.js';

const argv = process.argv.slice(2);
const lines = argv.length > 0 ? [argv] : [
  ['ZUNIONSTORE', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
  ['SORT', 'list', 'BY', 'weight_*', 'GET', '#', 'GET', 'obj_*->name', 'STORE', 'out'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'events', '>'],
  ['SCAN', '0', 'COUNT', '100'],
  ['PSUBSCRIBE', 'news.*'],
  ['FLUSHDB'],
];

for (const line of lines) {
  const d = describeCommand(line);
  const at = (positions: readonly number[]) => positions.map((p) => line[p]).join(', ') || '-';
  console.log(`${line.join(' ')}\n  ${d.command}: ${d.status}${d.reason ? ` (${d.reason})` : ''}`);
  console.log(`  keys: ${at(d.keys)} | key patterns: ${at(d.keyPatterns)} | sort patterns: ${at(d.sortPatterns)} | channels: ${at(d.channels)} | channel patterns: ${at(d.channelPatterns)}`);
  if (d.appended.length > 0) console.log(`  a guard appends: ${d.appended.map(([kw, role]) => `${kw ?? ''} <${role}>`.trim()).join(', ')}`);
}
