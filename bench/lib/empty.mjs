// Intentionally empty: the baseline of bench/version.bench.js.
