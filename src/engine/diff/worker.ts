// Placeholder worker entry; replaced by the diff worker (large diffs run off the main thread).
export {};
