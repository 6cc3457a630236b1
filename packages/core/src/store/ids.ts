/**
 * Record ids: 26 characters of Crockford base32, time first (like a ULID), so ids sort in the
 * order they were made, also within one millisecond in one process.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
let lastRandom: number[] = [];

/** A new id, e.g. `01JC8Y5T0K3M9X2W7Q4R6S8V1B`. */
export function newId(now: number = Date.now()): string {
  let random: number[];
  if (now <= lastTime) {
    random = increment(lastRandom);
    now = lastTime;
  } else {
    random = Array.from(randomBytes(16), (b) => b & 31);
  }
  lastTime = now;
  lastRandom = random;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = (ALPHABET[t % 32] as string) + time;
    t = Math.floor(t / 32);
  }
  return time + random.map((d) => ALPHABET[d] as string).join('');
}

function increment(digits: number[]): number[] {
  const out = [...digits];
  for (let i = out.length - 1; i >= 0; i--) {
    const d = (out[i] as number) + 1;
    if (d < 32) {
      out[i] = d;
      return out;
    }
    out[i] = 0;
  }
  return out;
}

/** Ids from outside (import files, the command line) must look like this. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
