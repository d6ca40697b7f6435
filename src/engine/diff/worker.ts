// The diff worker thread's entry (bundled to dist/diff-worker.mjs): runs one diff from workerData and posts
// the result or the error back. Started by diffInWorker (diff-in-worker.ts); one worker per diff.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { UserError, messageOf } from '../errors.ts';
import { diffFiles, type DiffRequest, type WorkerReply } from './diff-in-worker.ts';

if (!isMainThread && parentPort) {
  let reply: WorkerReply;
  try {
    reply = { ok: true, result: diffFiles(workerData as DiffRequest) };
  } catch (error) {
    reply = {
      ok: false,
      error: {
        message: messageOf(error),
        userError: error instanceof UserError,
        exitCode: error instanceof UserError ? error.exitCode : undefined,
        stack: error instanceof UserError ? undefined : (error as Error)?.stack,
      },
    };
  }
  parentPort.postMessage(reply);
}
