/** The printed summary of a run: counts of everything, and every violation kind, zeros included. */
import type { Checker, ViolationKind } from './checks.js';
import { FAULT_KINDS } from './faults.js';

export interface RunFigures {
  readonly durationS: number;
  readonly seed: number;
  readonly redisVersion: string;
  readonly sites: readonly string[];
  readonly sitesNotRun: readonly string[];
  readonly views: number;
  readonly subscriptions: number;
  /** Per site with replicas: writes WAIT confirmed, writes it did not (not counted), keys read back at the end. */
  readonly durable: ReadonlyArray<{ readonly site: string; readonly confirmed: number; readonly unconfirmed: number; readonly readBack: number }>;
  readonly scans: number;
  readonly scanSkips: number;
  readonly finalScan: { readonly nodes: number; readonly keys: number };
}

const VIOLATION_KINDS: readonly ViolationKind[] = [
  'misdelivered-reply',
  'prefix-in-reply',
  'key-outside-namespace',
  'key-of-another-view',
  'foreign-message',
  'unhandled-rejection',
  'uncaught-exception',
  'internal-error',
  'unsettled-promise',
  'lost-durable-write',
  'subscription-lost',
  'check-incomplete',
];

const pad = (text: string, width: number): string => text.padEnd(width);
const total = (map: Map<string, number>): number => [...map.values()].reduce((sum, n) => sum + n, 0);
const sorted = (map: Map<string, number>): Array<[string, number]> => [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

export function formatReport(checker: Checker, figures: RunFigures): string {
  const lines: string[] = [];
  lines.push('', `=== chaos run: ${figures.durationS} s, seed ${figures.seed}, redis-server ${figures.redisVersion}`);
  lines.push(`sites (one shared client each, a view per namespace): ${figures.sites.join(', ')}`);
  if (figures.sitesNotRun.length > 0) lines.push(`sites NOT run: ${figures.sitesNotRun.join('; ')}`);
  lines.push(`views: ${figures.views}, subscriptions: ${figures.subscriptions}`);

  lines.push('', `commands: ${total(checker.commands)}`);
  for (const [kind, count] of sorted(checker.commands)) lines.push(`  ${pad(kind, 28)} ${count}`);

  lines.push('', `faults injected: ${FAULT_KINDS.reduce((sum, kind) => sum + (checker.faults.get(kind) ?? 0), 0)}`);
  for (const kind of FAULT_KINDS) {
    const failed = checker.faults.get(`${kind} (failed)`) ?? 0;
    lines.push(`  ${pad(kind, 28)} ${checker.faults.get(kind) ?? 0}${failed > 0 ? `  (${failed} attempt(s) could not be injected)` : ''}`);
  }
  lines.push(`  (connections killed in all: ${checker.faults.get('connections killed') ?? 0})`);

  lines.push('', `errors by kind: ${total(checker.errors)}`);
  for (const [kind, count] of sorted(checker.errors)) {
    const sites = sorted(checker.errorSites.get(kind) ?? new Map()).map(([site, n]) => `${site} ${n}`).join(', ');
    lines.push(`  ${pad(String(count), 6)} ${kind}  [${sites}]`);
  }

  lines.push('', 'checks:');
  lines.push(`  pub/sub messages checked      ${checker.messages}`);
  for (const { site, confirmed, unconfirmed, readBack } of figures.durable) {
    lines.push(`  durable writes ${pad(site, 19)} ${confirmed} confirmed by WAIT (${unconfirmed} not confirmed, not counted); ${readBack} key(s) read back at the end`);
  }
  lines.push(`  raw SCANs of every node       ${figures.scans} during the run (${figures.scanSkips} node(s) skipped while down or paused)`);
  lines.push(`  final raw SCAN                ${figures.finalScan.nodes} node(s), ${figures.finalScan.keys} key(s)`);
  lines.push(`  outstanding promises at end   ${checker.outstanding().length}`);

  lines.push('', `violations: ${checker.violationTotal}`);
  for (const kind of VIOLATION_KINDS) lines.push(`  ${pad(kind, 28)} ${checker.violationCounts.get(kind) ?? 0}`);
  for (const violation of checker.violations) lines.push(`  ! ${violation.kind}: ${violation.detail}`);

  const zeroFaults = FAULT_KINDS.filter((kind) => (checker.faults.get(kind) ?? 0) === 0);
  if (zeroFaults.length > 0) lines.push('', `NOT injected in this run (0 above): ${zeroFaults.join(', ')}`);
  if (checker.notes.length > 0) {
    lines.push('', 'notes:');
    for (const note of checker.notes.slice(0, 30)) lines.push(`  - ${note}`);
    if (checker.notes.length > 30) lines.push(`  ... ${checker.notes.length - 30} more`);
  }
  lines.push('', checker.violationTotal === 0 ? 'RESULT: no violation' : `RESULT: ${checker.violationTotal} violation(s)`);
  return lines.join('\n');
}
