import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';
import { WsRateLimiter } from './ws-rate-limit.js';

describe('TokenBucket', () => {
  it('gives a burst of its capacity, then refills at its rate, never above capacity', () => {
    let now = 0;
    const b = new TokenBucket(10, 3, () => now);
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 0]);
    expect(b.take()).toBe(100); // one token every 100 ms
    now = 50;
    expect(b.take()).toBe(50);
    now = 100;
    expect(b.take()).toBe(0);
    now = 10_000; // a long pause saves up no more than the capacity
    expect([b.take(), b.take(), b.take(), b.take() > 0]).toEqual([0, 0, 0, true]);
  });
});

describe('WsRateLimiter', () => {
  it('answers a frame over the limit with rate_limited, and turns over theirs too', () => {
    let now = 0;
    const r = new WsRateLimiter({ framesPerSecond: 2, turnsPerMinute: 1 }, () => now);
    expect([r.frame(), r.frame()]).toEqual([undefined, undefined]);
    const limited = r.frame();
    expect(limited?.code).toBe('rate_limited');
    expect(limited?.message).toMatch(/over 2 frames per second.*retry in 500 ms/);
    r.turn();
    expect(() => r.turn()).toThrow(/over 1 turns per minute .*retry in 60 s/);
    now = 60_000;
    expect(() => r.turn()).not.toThrow();
    expect(r.frame()).toBeUndefined();
  });

  it('limits nothing at 0', () => {
    const r = new WsRateLimiter({ framesPerSecond: 0, turnsPerMinute: 0 }, () => 0);
    for (let i = 0; i < 10_000; i++) expect(r.frame()).toBeUndefined();
    for (let i = 0; i < 1_000; i++) r.turn();
  });
});
