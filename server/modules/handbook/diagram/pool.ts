/**
 * A fixed number of worker threads that run Graphviz (render.worker.mjs), so a layout never blocks
 * the main thread. Each render has a wall-clock limit: past it the worker is terminated (Graphviz
 * cannot be interrupted otherwise) and a fresh one takes its place on the next render. A worker
 * whose render threw is ended too: its WebAssembly instance may be corrupt, and would fail every
 * later render.
 */
import { Worker } from 'node:worker_threads';
import type { RenderError, RenderOptions } from '@viz-js/viz';

/** What one render came to. `unavailable`: not run (pool closed or its queue full); try later. */
export type PoolOutcome =
  | { status: 'success'; output: string; errors: RenderError[] }
  | { status: 'failure'; errors: RenderError[] }
  | { status: 'threw'; message: string }
  | { status: 'timeout' }
  | { status: 'unavailable'; reason: string };

export interface RenderPoolOptions {
  /** Worker threads (each renders one diagram at a time). */
  size: number;
  /** Wall-clock limit of one render, counted from when a worker starts it. */
  timeLimitMs: number;
  /** Renders waiting for a worker beyond which more are answered `unavailable`. */
  maxQueue?: number;
}

interface Job {
  id: number;
  dot: string;
  options: RenderOptions;
  resolve: (outcome: PoolOutcome) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

type Reply =
  | { status: 'ready' }
  | { id: number; status: 'success'; output: string; errors: RenderError[] }
  | { id: number; status: 'failure'; errors: RenderError[] }
  | { id: number; status: 'threw'; message: string };

const workerUrl = new URL('./render.worker.mjs', import.meta.url);

/** Process-wide counts, for tests: renders handed to a worker, and workers alive. */
export const renderPoolStats = { started: 0, liveWorkers: 0 };

export class RenderPool {
  readonly size: number;
  readonly timeLimitMs: number;
  private readonly maxQueue: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: RenderPoolOptions) {
    this.size = Math.max(1, Math.floor(options.size));
    this.timeLimitMs = options.timeLimitMs;
    this.maxQueue = options.maxQueue ?? 64;
  }

  /** Renders `dot` on a worker; never rejects. */
  run(dot: string, options: RenderOptions): Promise<PoolOutcome> {
    if (this.closed) return Promise.resolve({ status: 'unavailable', reason: 'stopping' });
    if (this.queue.length >= this.maxQueue)
      return Promise.resolve({ status: 'unavailable', reason: 'busy' });
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, dot, options, resolve });
      this.dispatch();
    });
  }

  /** Ends every worker at once (a render in progress answers `unavailable`); later runs too. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.resolve({ status: 'unavailable', reason: 'stopping' });
    await Promise.all(
      [...this.slots].map((slot) =>
        this.retire(slot, { status: 'unavailable', reason: 'stopping' }),
      ),
    );
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.ready && slot.job === undefined) this.start(slot, this.queue.shift() as Job);
    }
    // Workers start lazily: a process that never draws a diagram starts none.
    if (this.queue.length > 0 && this.slots.size < this.size) this.spawn();
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    renderPoolStats.started++;
    slot.timer = setTimeout(() => void this.retire(slot, { status: 'timeout' }), this.timeLimitMs);
    slot.worker.postMessage({ id: job.id, dot: job.dot, options: job.options });
  }

  private spawn(): void {
    const worker = new Worker(workerUrl);
    // An idle worker does not keep the process alive; a render's timer does.
    worker.unref();
    renderPoolStats.liveWorkers++;
    const slot: Slot = { worker, ready: false, job: undefined, timer: undefined };
    this.slots.add(slot);
    worker.on('message', (reply: Reply) => {
      if (reply.status === 'ready') {
        slot.ready = true;
        this.dispatch();
        return;
      }
      const job = slot.job;
      if (job === undefined || job.id !== reply.id) return;
      if (reply.status === 'threw') {
        void this.retire(slot, { status: 'threw', message: reply.message });
        return;
      }
      clearTimeout(slot.timer);
      slot.job = undefined;
      slot.timer = undefined;
      job.resolve(reply);
      this.dispatch();
    });
    const lost = (message: string) => {
      // A worker that could not even start would fail its replacement too: answer what waits.
      if (!slot.ready && this.slots.has(slot)) {
        const reason = `the diagram worker did not start: ${message}`;
        for (const job of this.queue.splice(0)) job.resolve({ status: 'unavailable', reason });
      }
      void this.retire(slot, { status: 'threw', message }, { terminate: false });
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`the diagram worker exited (${code})`));
  }

  /**
   * Ends a worker, answering its render (if any) with `outcome`; the queue moves on to a fresh
   * worker.
   */
  private async retire(
    slot: Slot,
    outcome: PoolOutcome,
    { terminate = true }: { terminate?: boolean } = {},
  ): Promise<void> {
    if (!this.slots.delete(slot)) return;
    renderPoolStats.liveWorkers--;
    clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = undefined;
    job?.resolve(outcome);
    if (terminate) await slot.worker.terminate();
    this.dispatch();
  }
}
