// Graphviz in a worker thread (see pool.ts): plain JavaScript, so it loads the same way under
// `npm start` (tsx) and under vitest. One @viz-js/viz instance per worker; a render that throws
// (the WebAssembly instance is then in an unknown state) is reported and the pool ends this worker.
import { parentPort } from 'node:worker_threads';
import { instance } from '@viz-js/viz';

const viz = await instance();
parentPort.on('message', (job) => {
  let reply;
  try {
    const result = viz.render(job.dot, job.options);
    reply =
      result.status === 'success'
        ? { id: job.id, status: 'success', output: result.output, errors: result.errors }
        : { id: job.id, status: 'failure', errors: result.errors };
  } catch (error) {
    reply = {
      id: job.id,
      status: 'threw',
      message: error instanceof Error ? error.message : String(error),
    };
  }
  parentPort.postMessage(reply);
});
parentPort.postMessage({ status: 'ready' });
