// How the chat's Markdown renderer was chosen: marked + marked-terminal (code by
// cli-highlight, i.e. highlight.js) against shiki, on a typical answer (prose, a list, a
// 16-line TypeScript block, a table, a quote). Not part of `npm run bench`: shiki is not a
// dependency. To run it:
//
//   npm install --no-save shiki@4.6.0 @shikijs/cli@4.4.3
//   FORCE_COLOR=3 node bench/markdown-choice.js mt      # marked-terminal
//   FORCE_COLOR=3 node bench/markdown-choice.js shiki   # shiki (code blocks only)
//
// Each run is a fresh process, so the import time is a cold import. Figures in
// docs/PERFORMANCE.md#terminal-ui.
const which = process.argv[2] ?? 'mt';
const SAMPLE = `# Reading a file line by line

Here is how to read a file **line by line** in Node.js, with \`readline\`:

1. Open a stream with \`fs.createReadStream\`.
2. Wrap it in \`readline.createInterface\`.
3. Iterate with \`for await\`.

\`\`\`ts
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export async function countLines(file: string): Promise<number> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    if (line.trim() === '') continue; // skip blank lines
    n++;
  }
  return n;
}

const total = await countLines(process.argv[2] ?? 'README.md');
console.log(\`\${total} lines\`);
\`\`\`

| option | meaning |
| --- | --- |
| \`crlfDelay\` | treat \\r\\n as one break |
| \`input\` | the stream to read |

> Note: for very large files this keeps memory flat, since only one line is held at a time.

- It works with *any* readable stream.
- Errors surface as a rejected promise.
`;

const t0 = performance.now();
let render;
if (which === 'mt') {
  const { Marked } = await import('marked');
  const { markedTerminal } = await import('marked-terminal');
  const m = new Marked(markedTerminal({ width: 80, reflowText: false }));
  render = async (s) => m.parse(s);
} else {
  const { Marked } = await import('marked');
  const { codeToANSI } = await import('@shikijs/cli');
  const m = new Marked();
  // Only the code blocks through shiki, the rest passed through: shiki's own cost.
  render = async (s) => {
    let out = '';
    for (const t of m.lexer(s))
      out += t.type === 'code' ? await codeToANSI(t.text, t.lang || 'text', 'github-dark') : t.raw;
    return out;
  };
}
const importMs = performance.now() - t0;
const t1 = performance.now();
await render(SAMPLE);
const firstMs = performance.now() - t1;
const times = [];
for (let i = 0; i < 200; i++) {
  const a = performance.now();
  await render(SAMPLE);
  times.push(performance.now() - a);
}
times.sort((a, b) => a - b);
// Rendering the whole message again at every delta (4 characters), the naive way to stream.
const a = performance.now();
let k = 0;
for (let i = 4; i <= SAMPLE.length; i += 4, k++) await render(SAMPLE.slice(0, i));
const perDelta = (performance.now() - a) / k;
const r = (n) => Math.round(n * 1000) / 1000;
console.log(
  JSON.stringify({
    which,
    import_ms: r(importMs),
    first_render_ms: r(firstMs),
    render_p50_ms: r(times[100]),
    render_p95_ms: r(times[190]),
    whole_message_per_delta_ms: r(perDelta),
  }),
);
