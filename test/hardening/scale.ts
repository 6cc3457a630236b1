/**
 * How hard the hardening tests push: a quick count in CI, the full count under
 * `npm run harden` (PARLEY_HARDEN=full). Random choices come from a seeded generator so a
 * failure can be replayed with PARLEY_HARDEN_SEED.
 */

/** `quick` normally, `full` under `npm run harden`. */
export function hardenScale(quick: number, full: number): number {
  return process.env.PARLEY_HARDEN === 'full' ? full : quick;
}

/** A small seeded generator (mulberry32) and its seed. */
export function seededRandom(): { random: () => number; seed: number } {
  const given = Number(process.env.PARLEY_HARDEN_SEED);
  const seed = Number.isInteger(given) ? given : Math.floor(Math.random() * 2 ** 31);
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { random, seed };
}
