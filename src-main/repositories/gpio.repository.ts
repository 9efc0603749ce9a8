// GPIO lines through libgpiod's command-line tools (gpioget, gpiomon): present only on hosts with a /dev/gpiochip*.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

export interface GpioRepository {
  /** Why GPIO cannot work on this host (no chip, no tools), or null when it can. */
  unavailable(): string | null;
  /** The line's level now (0 or 1). */
  read(line: number): Promise<0 | 1>;
  /** Calls `onLevel` on every edge until the returned stop is called; `onError` when the watcher dies. */
  watch(line: number, onLevel: (level: 0 | 1) => void, onError: (message: string) => void): () => void;
}

const which = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

/** libgpiod 1.x prints `0`/`1`; 2.x prints `"22"=active` / `inactive`. */
export function parseGpioget(out: string): 0 | 1 | null {
  const s = out.trim();
  if (s === '0' || /=inactive$/.test(s)) return 0;
  if (s === '1' || /=active$/.test(s)) return 1;
  return null;
}

/** An edge line from gpiomon 1.x (`event:  RISING EDGE ...`) or 2.x (`<ts>\trising\t...`). */
export function parseGpiomon(line: string): 0 | 1 | null {
  if (/rising/i.test(line)) return 1;
  if (/falling/i.test(line)) return 0;
  return null;
}

export class LibgpiodRepository implements GpioRepository {
  constructor(
    private readonly devDir = '/dev',
    private readonly chip = 'gpiochip0',
  ) {}

  unavailable(): string | null {
    const chips = existsSync(this.devDir) ? readdirSync(this.devDir).filter((n) => /^gpiochip\d+$/.test(n)) : [];
    if (!chips.length) return 'GPIO sensors are not supported on this host: it has no GPIO chip (/dev/gpiochip*). Use the mock or external sensor types.';
    if (!chips.includes(this.chip)) return `GPIO chip ${this.chip} not found (this host has ${chips.join(', ')})`;
    if (!which('gpioget') || !which('gpiomon')) return "GPIO needs libgpiod's tools (gpioget, gpiomon): install the gpiod package.";
    return null;
  }

  read(line: number): Promise<0 | 1> {
    return new Promise((resolve, reject) => {
      const p = spawn('gpioget', [this.chip, String(line)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-500)));
      p.on('error', (e) => reject(new Error(e.message)));
      p.on('close', (code) => {
        const v = parseGpioget(out);
        if (code === 0 && v !== null) resolve(v);
        else reject(new Error(`gpioget failed (${code}): ${err.trim() || out.trim()}`));
      });
    });
  }

  watch(line: number, onLevel: (level: 0 | 1) => void, onError: (message: string) => void): () => void {
    let stopped = false;
    const p: ChildProcess = spawn('gpiomon', [this.chip, String(line)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    p.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const v = parseGpiomon(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (v !== null) onLevel(v);
      }
    });
    p.on('error', (e) => onError(e.message));
    p.on('close', (code) => {
      if (!stopped) onError(`gpiomon exited (${code})`);
    });
    return () => {
      stopped = true;
      p.kill('SIGTERM');
    };
  }
}
