import os from 'node:os';

/**
 * Models smaller than this generate fastest on one thread: the per-token work is so small
 * that synchronising threads costs more than it saves. Measured on stories260K (1.2 MB):
 * 1 thread ≈ 560–1,000 tokens/s, 2 threads ≈ 60–90 tokens/s on a 2-core machine.
 */
export const SMALL_MODEL_BYTES = 64 * 1024 * 1024;

/**
 * The thread count parley uses for llama.cpp when none is configured: one thread for tiny
 * models, otherwise every core the machine offers to this process
 * (`os.availableParallelism()`). node-llama-cpp's own default oversubscribes small
 * machines and runs about 1,000 times slower on a 2-core one.
 */
export function chooseThreads(modelBytes: number | undefined, available = os.availableParallelism()): number {
  const cores = Math.max(1, Math.floor(available));
  if (modelBytes !== undefined && modelBytes < SMALL_MODEL_BYTES) return 1;
  return cores;
}
