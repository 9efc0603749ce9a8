// Unit (real: RenderQueue; mock: render work as hand-settled promises): sharing, slots, bound, cancellation and hand-off.
import { describe, expect, it } from 'vitest';
import { RenderQueue, RenderQueueFullError, type RenderWork } from '../../src-main/services/recording/render-queue';

interface Step {
  signal: AbortSignal;
  finish: () => void;
  fail: (err: Error) => void;
}

/** Work that records its start and waits for the test to settle it. */
function works() {
  const started: string[] = [];
  const steps = new Map<string, Step>();
  const make =
    (name: string): RenderWork =>
    (signal) =>
      new Promise<void>((resolve, reject) => {
        started.push(name);
        steps.set(name, { signal, finish: resolve, fail: reject });
      });
  const step = (name: string): Step => {
    const s = steps.get(name);
    if (!s) throw new Error(`${name} has not started`);
    return s;
  };
  return { started, make, step };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));
const outcome = (p: Promise<void>) => p.then(() => 'ok', (e: unknown) => (e instanceof RenderQueueFullError ? 'full' : e instanceof Error ? e.name : String(e)));

describe('RenderQueue', () => {
  it('shares one run of a key between concurrent waiters', async () => {
    const q = new RenderQueue<string>({ running: 2, waiting: 4 });
    const w = works();
    const a = q.run('k', w.make('first'));
    const b = q.run('k', w.make('second'));
    await tick();
    expect(w.started).toEqual(['first']);
    w.step('first').finish();
    expect(await Promise.all([outcome(a), outcome(b)])).toEqual(['ok', 'ok']);
  });

  it('runs at most `running` jobs, hands each freed slot to the oldest waiting job, failures included', async () => {
    const q = new RenderQueue<string>({ running: 2, waiting: 4 });
    const w = works();
    const ps = ['a', 'b', 'c', 'd'].map((k) => outcome(q.run(k, w.make(k))));
    await tick();
    expect(w.started).toEqual(['a', 'b']);
    expect(q.size).toEqual({ running: 2, waiting: 2 });
    w.step('b').fail(new Error('boom'));
    await tick();
    expect(w.started).toEqual(['a', 'b', 'c']);
    // A newcomer never takes a slot ahead of the line.
    const e = outcome(q.run('e', w.make('e')));
    w.step('a').finish();
    await tick();
    expect(w.started).toEqual(['a', 'b', 'c', 'd']);
    w.step('c').finish();
    w.step('d').finish();
    await tick();
    w.step('e').finish();
    expect(await Promise.all([...ps, e])).toEqual(['ok', 'Error', 'ok', 'ok', 'ok']);
    expect(q.size).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a new key when every slot is busy and the line is full, but still lets waiters join existing jobs', async () => {
    const q = new RenderQueue<string>({ running: 1, waiting: 2 });
    const w = works();
    const ps = ['a', 'b', 'c'].map((k) => outcome(q.run(k, w.make(k))));
    expect(await outcome(q.run('d', w.make('d')))).toBe('full');
    const shareRunning = outcome(q.run('a', w.make('a2')));
    const shareQueued = outcome(q.run('c', w.make('c2')));
    await tick();
    w.step('a').finish();
    await tick();
    w.step('b').finish();
    await tick();
    w.step('c').finish();
    expect(await Promise.all([...ps, shareRunning, shareQueued])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(w.started).toEqual(['a', 'b', 'c']);
  });

  it('drops a queued job when its last waiter leaves: it never runs and its place in line is freed', async () => {
    const q = new RenderQueue<string>({ running: 1, waiting: 1 });
    const w = works();
    const a = outcome(q.run('a', w.make('a')));
    const ac = new AbortController();
    const b = outcome(q.run('b', w.make('b'), ac.signal));
    expect(await outcome(q.run('c', w.make('c')))).toBe('full');
    ac.abort();
    expect(await b).toBe('AbortError');
    expect(q.size).toEqual({ running: 1, waiting: 0 });
    const c = outcome(q.run('c', w.make('c')));
    w.step('a').finish();
    await tick();
    w.step('c').finish();
    expect(await Promise.all([a, c])).toEqual(['ok', 'ok']);
    expect(w.started).toEqual(['a', 'c']);
  });

  it('keeps a shared job running while one waiter remains; aborts its work when the last one leaves', async () => {
    const q = new RenderQueue<string>({ running: 2, waiting: 2 });
    const w = works();
    const one = new AbortController();
    const two = new AbortController();
    const a = outcome(q.run('k', w.make('k'), one.signal));
    const b = outcome(q.run('k', w.make('k'), two.signal));
    await tick();
    one.abort();
    expect(await a).toBe('AbortError');
    expect(w.step('k').signal.aborted).toBe(false);
    two.abort();
    expect(await b).toBe('AbortError');
    expect(w.step('k').signal.aborted).toBe(true);
  });

  it('holds a cancelled job’s slot until its work has settled, then hands it on', async () => {
    const q = new RenderQueue<string>({ running: 1, waiting: 2 });
    const w = works();
    const ac = new AbortController();
    const a = outcome(q.run('a', w.make('a'), ac.signal));
    const b = outcome(q.run('b', w.make('b')));
    await tick();
    ac.abort();
    expect(await a).toBe('AbortError');
    await tick();
    expect(w.started).toEqual(['a']);
    expect(q.size).toEqual({ running: 1, waiting: 1 });
    w.step('a').fail(new Error('killed'));
    await tick();
    expect(w.started).toEqual(['a', 'b']);
    w.step('b').finish();
    expect(await b).toBe('ok');
  });

  it('gives a new waiter a fresh job for a key whose cancelled job is still winding down, started only after it settles', async () => {
    const q = new RenderQueue<string>({ running: 2, waiting: 2 });
    const w = works();
    const ac = new AbortController();
    const old = outcome(q.run('k', w.make('old'), ac.signal));
    await tick();
    ac.abort();
    expect(await old).toBe('AbortError');
    const fresh = outcome(q.run('k', w.make('fresh')));
    await tick();
    expect(w.started).toEqual(['old']);
    w.step('old').fail(new Error('killed'));
    await tick();
    expect(w.started).toEqual(['old', 'fresh']);
    expect(w.step('fresh').signal.aborted).toBe(false);
    w.step('fresh').finish();
    expect(await fresh).toBe('ok');
  });

  it('refuses a waiter whose signal has already aborted without admitting anything', async () => {
    const q = new RenderQueue<string>({ running: 1, waiting: 1 });
    const w = works();
    expect(await outcome(q.run('k', w.make('k'), AbortSignal.abort()))).toBe('AbortError');
    await tick();
    expect(w.started).toEqual([]);
    expect(q.size).toEqual({ running: 0, waiting: 0 });
  });

  it('a waiter without a signal keeps the job alive when every waiter with one has left', async () => {
    const q = new RenderQueue<string>({ running: 1, waiting: 1 });
    const w = works();
    const ac = new AbortController();
    const gone = outcome(q.run('k', w.make('k'), ac.signal));
    const stays = outcome(q.run('k', w.make('k')));
    await tick();
    ac.abort();
    expect(await gone).toBe('AbortError');
    expect(w.step('k').signal.aborted).toBe(false);
    w.step('k').finish();
    expect(await stays).toBe('ok');
  });
});
