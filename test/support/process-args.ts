// Scans every process's arguments on this machine (/proc/<pid>/cmdline, world-readable) for strings that must never be there.
import { readFile, readdir } from 'node:fs/promises';

export interface ProcessArgs {
  pid: number;
  args: string;
}

/** Arguments of every process (NUL separators as spaces); read without blocking, so in-process relays keep running. */
export async function allProcessArgs(): Promise<ProcessArgs[]> {
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
  const out = await Promise.all(
    pids.map(async (p) => {
      try {
        const raw = await readFile(`/proc/${p}/cmdline`);
        return { pid: Number(p), args: raw.toString('utf8').split('\0').join(' ').trim() };
      } catch {
        return null;
      }
    }),
  );
  return out.filter((p): p is ProcessArgs => p !== null);
}

/** Processes whose arguments contain any of `needles` (empty needles are ignored). */
export async function processesWith(needles: readonly string[]): Promise<ProcessArgs[]> {
  const n = needles.filter((s) => s.length > 0);
  return (await allProcessArgs()).filter((p) => n.some((s) => p.args.includes(s)));
}

/** Every form of a secret that could show up in a command line: raw, percent-encoded, and as user:pass userinfo. */
export function secretForms(username: string, password: string): string[] {
  const enc = encodeURIComponent;
  return [...new Set([password, enc(password), `${username}:${password}`, `${enc(username)}:${enc(password)}`])];
}
