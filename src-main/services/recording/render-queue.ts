// Keyed render queue: one job per key shared by its waiters, a bounded FIFO behind fixed slots, cancelled when its last waiter leaves.

export interface RenderQueueLimits {
  /** Jobs whose work may run at once. */
  running: number;
  /** Distinct jobs that may wait for a slot; joining a job that already exists never counts. */
  waiting: number;
}

/** Refused admission: every slot is busy and the waiting line is full. */
export class RenderQueueFullError extends Error {
  constructor() {
    super('render queue is full');
    this.name = 'RenderQueueFullError';
  }
}

export type RenderWork = (signal: AbortSignal) => Promise<void>;

interface Job<K> {
  key: K;
  work: RenderWork;
  refs: number;
  state: 'queued' | 'running' | 'settled';
  ctl: AbortController;
  /** What every waiter of this job awaits. */
  outcome: Promise<void>;
  settle: (err: unknown) => void;
  /** Settles (never rejects) once a started job's work has settled. */
  done?: Promise<void>;
}

export class RenderQueue<K> {
  /** The shareable job per key: queued, or running and not cancelled. */
  private readonly jobs = new Map<K, Job<K>>();
  private readonly line: Job<K>[] = [];
  /** Cancelled running jobs still winding down, per key: a new job for that key starts only after this settles. */
  private readonly winding = new Map<K, Promise<void>>();
  private active = 0;

  constructor(private readonly limits: RenderQueueLimits) {}

  /** Slots in use (including cancelled jobs still winding down) and distinct jobs waiting for one. */
  get size(): { running: number; waiting: number } {
    return { running: this.active, waiting: this.line.length };
  }

  /**
   * Joins the job for `key`, admitting `work` as a new job if there is none. Settles with the job, or rejects with
   * the signal's reason as soon as `signal` aborts; rejects with RenderQueueFullError when a new job finds no room.
   */
  run(key: K, work: RenderWork, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const job = this.jobs.get(key) ?? this.admit(key, work);
    if (!job) return Promise.reject(new RenderQueueFullError());
    job.refs++;
    if (!signal) return job.outcome;
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        reject(signal.reason);
        this.leave(job);
      };
      signal.addEventListener('abort', leave, { once: true });
      job.outcome.then(
        () => {
          signal.removeEventListener('abort', leave);
          resolve();
        },
        (err: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(err);
        },
      );
    });
  }

  private admit(key: K, work: RenderWork): Job<K> | null {
    const free = this.active < this.limits.running;
    if (!free && this.line.length >= this.limits.waiting) return null;
    let settle: (err: unknown) => void = () => undefined;
    const outcome = new Promise<void>((resolve, reject) => {
      settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    // Waiters attach their own handlers; this keeps an outcome nobody is left to read from surfacing as unhandled.
    outcome.catch(() => undefined);
    const job: Job<K> = { key, work, refs: 0, state: 'queued', ctl: new AbortController(), outcome, settle };
    this.jobs.set(key, job);
    if (free) this.start(job);
    else this.line.push(job);
    return job;
  }

  private leave(job: Job<K>): void {
    if (--job.refs > 0 || job.state === 'settled') return;
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
    job.ctl.abort();
    if (job.done) {
      this.winding.set(job.key, job.done);
    } else {
      this.line.splice(this.line.indexOf(job), 1);
      job.state = 'settled';
      job.settle(job.ctl.signal.reason);
    }
  }

  private start(job: Job<K>): void {
    this.active++;
    job.state = 'running';
    const before = this.winding.get(job.key) ?? Promise.resolve();
    const done: Promise<void> = before
      .then(() => (job.ctl.signal.aborted ? Promise.reject(job.ctl.signal.reason) : job.work(job.ctl.signal)))
      .then(
        () => undefined,
        (err: unknown) => err ?? new Error('render failed'),
      )
      .then((err) => {
        job.state = 'settled';
        job.settle(err);
        if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
        if (this.winding.get(job.key) === done) this.winding.delete(job.key);
        this.active--;
        const next = this.line.shift();
        if (next) this.start(next);
      });
    job.done = done;
  }
}
