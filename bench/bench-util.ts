// Shared bench helpers for the recording benches: timing, percentiles, temp dirs and a uniform result row.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** Baseline measured in the same run, when the case has one. */
  baseline?: number;
  ratio?: number;
  note?: string;
}

export const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
export const now = (): bigint => process.hrtime.bigint();

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export const median = (v: number[]): number => percentile(v, 50);

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function printRows(rows: BenchRow[]): void {
  for (const r of rows) {
    const extra = r.ratio !== undefined ? `  baseline ${r.baseline?.toFixed(1)} ${r.unit}  ratio ${r.ratio.toFixed(2)}` : '';
    process.stdout.write(`${r.name.padEnd(48)} ${r.value.toFixed(1).padStart(10)} ${r.unit}${extra}${r.note ? `  (${r.note})` : ''}\n`);
  }
}

/** Kernel clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat's CPU times on Linux. */
const CLK_TCK = 100;

/** utime+stime of a live process in seconds, from /proc (Linux); 0 when it is gone or unknown. */
export function procCpu(pid: number | null): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU seconds of this process's children that have exited and been reaped (cutime + cstime, Linux /proc); 0 elsewhere. */
export function childrenCpu(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** This process's CPU seconds (user + system). */
export const selfCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM (SIGKILL after 3 s) to each child; resolves when all have exited. */
export function stopChildren(kids: readonly ChildProcess[]): Promise<void> {
  return Promise.all(
    kids.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          c.once('exit', () => done());
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), 3000).unref();
        }),
    ),
  ).then(() => undefined);
}

/** Runs a bench file's cases and prints them when the file is the script being run; a failure prints its stack and exits 1. */
export function runIfMain(url: string, run: () => Promise<BenchRow[]>): void {
  if (url !== pathToFileURL(process.argv[1] ?? '').href) return;
  void run().then(printRows, (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
