// How the offline TTS was chosen: Debian's espeak-ng binary (spawned per sentence, WAV on
// stdout) against the npm `espeak-ng` WASM build (instantiated in process per sentence, WAV
// read from its in-memory file system). Not part of `npm run bench`: the WASM build is not a
// dependency. To run it:
//
//   (cd /tmp/espk && npm init -y && npm install espeak-ng@1.0.2)
//   node bench/tts-choice.js /tmp/espk/node_modules/espeak-ng
//
// Both are timed in the same process, interleaved, on the same sentence: time to first audio
// (the binary streams, so its first PCM bytes; the WASM build gives the whole file at once)
// and time to the whole sentence, then the install sizes. Figures in docs/PERFORMANCE.md#speech.
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const wasmDir = process.argv[2];
if (!wasmDir) {
  process.stderr.write('usage: node bench/tts-choice.js PATH/TO/node_modules/espeak-ng\n');
  process.exit(2);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const TEXT = 'Hello there, this is parley speaking. How can I help you today?';

function binary() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first;
    let bytes = 0;
    const child = spawn('espeak-ng', ['--stdout', '--stdin', '-v', 'en'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    child.stdout.on('data', (d) => {
      bytes += d.length;
      if (first === undefined && bytes > 44) first = performance.now() - t0;
    });
    child.on('error', reject);
    child.on('close', () => resolve({ first, total: performance.now() - t0, bytes }));
    child.stdin.end(`${TEXT}\n`);
  });
}

const tImport = performance.now();
const ESpeakNg = (await import(pathToFileURL(path.join(wasmDir, 'dist', 'espeak-ng.js')).href)).default;
const importMs = performance.now() - tImport;

async function wasm() {
  const t0 = performance.now();
  const m = await ESpeakNg({
    arguments: ['-v', 'en', '-w', '/out.wav', TEXT],
    print: () => {},
    printErr: () => {},
  });
  const wav = m.FS.readFile('/out.wav');
  const total = performance.now() - t0;
  return { first: total, total, bytes: wav.length };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const bin = [];
const wa = [];
// One warm-up each, then interleaved rounds.
await binary();
const coldWasm = await wasm();
for (let i = 0; i < RUNS; i++) {
  bin.push(await binary());
  wa.push(await wasm());
}
const du = (dir) =>
  readdirSync(dir, { recursive: true }).reduce((n, f) => {
    const st = statSync(path.join(dir, String(f)));
    return st.isFile() ? n + st.size : n;
  }, 0);
const debPkgs = ['espeak-ng', 'libespeak-ng1', 'espeak-ng-data', 'libpcaudio0', 'libsonic0'];
const debKb = debPkgs
  .map((p) => Number(execFileSync('dpkg-query', ['-W', '-f=${Installed-Size}', p], { encoding: 'utf8' })))
  .reduce((a, b) => a + b, 0);
const wasmBytes = du(wasmDir);

const r = {
  runs: RUNS,
  binary_first_audio_ms: median(bin.map((x) => x.first)),
  binary_whole_ms: median(bin.map((x) => x.total)),
  wasm_first_audio_ms: median(wa.map((x) => x.first)),
  wasm_import_ms: importMs,
  wasm_first_call_ms: coldWasm.total,
  audio_bytes: { binary: bin[0].bytes, wasm: wa[0].bytes },
  ratio_first_audio_wasm_over_binary: median(wa.map((x) => x.first)) / median(bin.map((x) => x.first)),
  ratio_whole_wasm_over_binary: median(wa.map((x) => x.total)) / median(bin.map((x) => x.total)),
  install_bytes: { debian: debKb * 1024, wasm: wasmBytes },
  ratio_install_wasm_over_debian: wasmBytes / (debKb * 1024),
};
process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
