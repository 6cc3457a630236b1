/**
 * The per-connection rate limits of the WebSocket (`server.ws_frames_per_second`,
 * `server.ws_turns_per_minute`): one token bucket each, a burst of the limit. A frame or a
 * turn over the limit is answered with `error` `rate_limited` (`retryable: true`, the wait
 * in its message) and not handled; the connection is kept.
 */
import { ProtocolError } from './ws-protocol.js';
import { TokenBucket } from './token-bucket.js';

/** The limits; 0 turns one off. */
export interface WsRateLimits {
  framesPerSecond: number;
  turnsPerMinute: number;
}

/** One connection's limiter. */
export class WsRateLimiter {
  private readonly frames: TokenBucket | undefined;
  private readonly turns: TokenBucket | undefined;

  constructor(
    private readonly limits: WsRateLimits,
    now?: () => number,
  ) {
    const f = limits.framesPerSecond;
    const t = limits.turnsPerMinute;
    this.frames = f > 0 ? new TokenBucket(f, f, now) : undefined;
    this.turns = t > 0 ? new TokenBucket(t / 60, t, now) : undefined;
  }

  /** Count a frame as it arrives: the error to answer it with when it is over the limit. */
  frame(): ProtocolError | undefined {
    const wait = this.frames?.take() ?? 0;
    if (wait === 0) return undefined;
    return new ProtocolError(
      'rate_limited',
      `over ${this.limits.framesPerSecond} frames per second on this connection (server.ws_frames_per_second): this frame was not handled; retry in ${wait} ms`,
    );
  }

  /**
   * Count a turn about to start.
   *
   * @throws ProtocolError `rate_limited` when it is over the limit
   */
  turn(): void {
    const wait = this.turns?.take() ?? 0;
    if (wait === 0) return;
    throw new ProtocolError(
      'rate_limited',
      `over ${this.limits.turnsPerMinute} turns per minute on this connection (server.ws_turns_per_minute): retry in ${Math.ceil(wait / 1000)} s`,
    );
  }
}
