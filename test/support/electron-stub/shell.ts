// A built main bundle run under plain Node against the stand-in `electron` (./index.mjs): its `@@stub {json}` lines
// are collected as messages, and stdin commands drive it (`invoke <id> <channel> <json>`, `quit`).
import type { ChildProcess } from 'node:child_process';

export interface StubMsg {
  type: string;
  [k: string]: unknown;
}

export class Shell {
  readonly messages: StubMsg[] = [];
  output = '';
  private waiters: { match: (m: StubMsg) => boolean; resolve: (m: StubMsg) => void; fail: (e: Error) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.output += d;
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith('@@stub ')) continue;
        const msg = JSON.parse(line.slice(7)) as StubMsg;
        this.messages.push(msg);
        this.waiters = this.waiters.filter((w) => (w.match(msg) ? (w.resolve(msg), false) : true));
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    this.exited = new Promise((r) =>
      child.once('exit', (code) => {
        const early = this.waiters.filter((w) => w.match({ type: 'exit', code }));
        for (const w of this.waiters) if (!early.includes(w)) w.fail(new Error(`the shell exited (${String(code)}) first\n${this.output.slice(-3000)}`));
        this.waiters = [];
        r(code);
      }),
    );
  }

  next(what: string, match: (m: StubMsg) => boolean, timeoutMs = 30_000): Promise<StubMsg> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    if (this.child.exitCode !== null) return Promise.reject(new Error(`the shell already exited (${this.child.exitCode})\n${this.output.slice(-3000)}`));
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`timed out waiting for ${what}\n${this.output.slice(-3000)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(t), res(m)), fail: (e) => (clearTimeout(t), rej(e)) });
    });
  }

  private seq = 0;
  async invoke(channel: string, input: unknown): Promise<StubMsg> {
    const id = String(++this.seq);
    this.child.stdin?.write(`invoke ${id} ${channel} ${JSON.stringify(input)}\n`);
    return this.next(`invoke ${channel}`, (m) => m.type === 'invoke-result' && m.id === id);
  }
}
