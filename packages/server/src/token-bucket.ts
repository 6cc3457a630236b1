/**
 * A token bucket: `rate` tokens a second, at most `capacity` saved up. The per-connection
 * rate limits of the HTTP server and the WebSocket are each one bucket per connection, so
 * nothing is kept once the connection is gone.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param rate tokens added a second (> 0)
   * @param capacity the burst: tokens saved up at most (≥ 1); the bucket starts full
   * @param now a clock in ms (tests)
   */
  constructor(
    readonly rate: number,
    readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Take one token. Returns 0 when one was taken, else how many ms until one is there. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
  }
}
