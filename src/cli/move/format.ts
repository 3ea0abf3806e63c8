import type { LiveFigures, LiveMoveReport, MovePreflight, MoveReport, MoveVerification } from '../../layout/index.js';
import { namespaceUrlVariable } from '../../layout/index.js';
import { formatDuration } from '../progress.js';

const integer = (n: number): string => Math.round(n).toLocaleString('en-US');

/** `12.3 MB` (MiB), `1.5 GB` past 1024 MiB. */
export const size = (bytes: number): string => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`);

/** Whether a verification found every key equal and nothing extra. */
export const clean = (v: MoveVerification): boolean => v.missing + v.extra + v.typeDiffers + v.ttlDiffers + v.contentDiffers === 0;

function preflightLine(check: MovePreflight): string {
  const limit =
    check.targetMaxmemory > 0 ? `maxmemory ${size(check.targetMaxmemory)} (${check.targetPolicy})` : `no maxmemory (host memory ${size(check.targetSystemMemory)})`;
  const verdict = check.verdict === 'fits' ? 'fits' : `${check.verdict.replace(/-/g, ' ')}${check.forced ? ', forced' : ''}`;
  const skew = Math.abs(check.clockSkewMs) > 1000 ? `; clocks ${check.clockSkewMs} ms apart (target minus source): keys expire that much ${check.clockSkewMs > 0 ? 'earlier' : 'later'} on the target` : '';
  return `preflight: ${integer(check.namespaceKeys)} keys, ${size(check.namespaceBytes)} on the source (${size(check.neededBytes)} to add); target ${size(check.targetUsedBytes)} used, ${limit}, ${size(check.targetFreeBytes)} free: ${verdict}${skew}`;
}

/** The verification's line, and the differences it found (the first 20). */
export function verificationLines(v: MoveVerification, label = 'verified'): string[] {
  const lines = [
    `${label}: ${integer(v.equal)} of ${integer(v.checked - v.vanished)} keys equal (${integer(v.byDigest)} by content digest); ` +
      `${integer(v.missing)} missing, ${integer(v.typeDiffers)} of another type, ${integer(v.ttlDiffers)} with another expiry, ` +
      `${integer(v.contentDiffers)} with other content, ${integer(v.extra)} extra on the target; ${integer(v.vanished)} gone from the source meanwhile (${formatDuration(v.durationMs)})`,
  ];
  if (v.examples.length > 0) lines.push(`differences${v.examples.length < v.missing + v.extra + v.typeDiffers + v.ttlDiffers + v.contentDiffers ? ' (first 20)' : ''}: ${v.examples.map((d) => `${d.key} (${d.problem})`).join(', ')}`);
  return lines;
}

/** What `move` prints on stdout for a report (a failed run's report too). */
export function formatMoveReport(report: MoveReport): string {
  const where = `${report.namespace} (${report.prefix}*) ${report.from} -> ${report.to}`;
  const lines: string[] = [];
  if (report.mode === 'verify') lines.push(`${where}: verify`);
  else if (report.dryRun) lines.push(`${where}: would ${report.mode} ${integer(report.scanned)} keys${report.preflight ? ` (${size(report.preflight.namespaceBytes)})` : ''}`);
  else {
    const counts = [
      `${integer(report.scanned)} scanned`,
      `${integer(report.written)} written (${integer(report.chunked)} in chunks)`,
      `${integer(report.copied)} copied and verified`,
      `${integer(report.skipped)} ${report.mode === 'sync' ? 'unchanged' : 'already there'}`,
      ...(report.mode === 'sync' ? [`${integer(report.expiryFixed)} expiry fixed`, `${integer(report.deleted)} deleted`] : []),
      `${integer(report.vanished)} gone meanwhile`,
    ];
    lines.push(`${where}: ${report.mode === 'sync' ? 'synced' : 'copied'} ${integer(report.copied)} keys; ${counts.join(', ')}${report.interrupted ? ' (interrupted: run again to resume)' : ''}`);
  }
  if (report.preflight) lines.push(preflightLine(report.preflight));
  if (report.verification) lines.push(...verificationLines(report.verification));
  if (report.targetEvictedKeys > 0) lines.push(`warning: the target evicted ${integer(report.targetEvictedKeys)} keys during the run (evicted_keys): keys may be lost; see maxmemory`);
  return `${lines.join('\n')}\n`;
}

/** The advice after a run whose exit code is 0: what to do next. */
export function nextStep(report: MoveReport): string {
  if (report.mode === 'verify') return '';
  const variable = namespaceUrlVariable(report.namespace);
  const switchTo = `point ${report.namespace}'s URL at ${report.to} (REDIS_URL or ${variable}), and delete ${report.prefix}* from ${report.from} once nothing uses it`;
  if (report.mode === 'sync') return `Next: if ${report.namespace}'s writers were stopped during this run, the target is equal: ${switchTo}. Otherwise stop them and run --sync again (or use --live).\n`;
  return `Next: stop ${report.namespace}'s writers and run again with --sync (or use --live) so that changes made during the copy reach the target; then ${switchTo}.\n`;
}

/** The advice after a run that found differences. */
export function fixStep(report: MoveReport): string {
  if (report.interrupted) return 'Not done: the run was interrupted; run it again (keys already copied are kept).\n';
  return `Not done: the target differs from the source for ${report.prefix}*. Stop the writers and run with --sync (or use --live), then --verify.\n`;
}

/** `0 events, 0 applied, 0 pending, lag p50/p99/max 0.8/4.1/12.5 ms`. */
export function liveLine(figures: LiveFigures): string {
  const lag = figures.lag ? `lag p50/p99/max ${figures.lag.p50}/${figures.lag.p99}/${figures.lag.max} ms` : 'no change applied yet';
  return `${integer(figures.events)} events, ${integer(figures.applied)} keys applied, ${integer(figures.pending)} pending, ${integer(figures.touched)} keys changed so far; ${lag}`;
}

/** What `move --live` prints on stdout after the switch-over. */
export function formatLiveReport(result: LiveMoveReport): string {
  const { initial } = result;
  return [
    formatMoveReport(initial).trimEnd(),
    `followed: ${liveLine(result)}`,
    `switch-over: caught up in ${result.catchUpMs.toFixed(1)} ms, ${integer(result.verification.checked)} changed keys checked in ${result.verifyMs.toFixed(1)} ms: window ${result.windowMs.toFixed(1)} ms`,
    ...verificationLines(result.verification, 'changed keys verified'),
    ...(result.targetEvictedKeys > 0 ? [`warning: the target evicted ${integer(result.targetEvictedKeys)} keys during the move`] : []),
    '',
  ].join('\n');
}
