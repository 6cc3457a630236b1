import { describe, expect, it } from 'vitest';
import { chooseThreads, SMALL_MODEL_BYTES } from '../local/threads.js';
import { backoffDelay, type RetryOptions } from './retry.js';

const opts = (random: number): RetryOptions => ({
  maxRetries: 5,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  timeoutMs: 1000,
  random: () => random,
});

describe('backoffDelay', () => {
  it('doubles per attempt, with jitter between half and all of it', () => {
    expect(backoffDelay(1, opts(0))).toBe(50);
    expect(backoffDelay(1, opts(0.999))).toBe(100);
    expect(backoffDelay(2, opts(0))).toBe(100);
    expect(backoffDelay(3, opts(0.5))).toBe(300);
  });
  it('caps at maxDelayMs', () => {
    expect(backoffDelay(10, opts(0.999))).toBe(1000);
  });
  it('uses Retry-After as given, even above the cap (the caller decides)', () => {
    expect(backoffDelay(1, opts(0), 2000)).toBe(2000);
    expect(backoffDelay(3, opts(0), 0)).toBe(0);
  });
});

describe('chooseThreads', () => {
  it('uses one thread for tiny models and every core otherwise', () => {
    expect(chooseThreads(1_185_376, 8)).toBe(1);
    expect(chooseThreads(SMALL_MODEL_BYTES, 8)).toBe(8);
    expect(chooseThreads(1_100_000_000, 2)).toBe(2);
    expect(chooseThreads(undefined, 4)).toBe(4);
    expect(chooseThreads(1_100_000_000, 0)).toBe(1);
  });
});
