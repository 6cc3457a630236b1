/**
 * `parley route "text"`: where the router would send a query. The first line is the intent's
 * name alone (for scripts); then every intent's score. `--json` prints the decision as JSON;
 * `--explain` adds the strategy, its reason and each intent's closest examples.
 */
import { access } from 'node:fs/promises';
import { EXIT, UsageError, type NearestExamples, type Parley, type RouteDecision } from '@parley/core';
import type { CliArgs } from '../args.js';
import { buildPrompt, readStdin } from '../input.js';
import { paint, type Output } from '../output.js';

const EXAMPLES_SHOWN = 2;

export async function runRouteCommand(
  parley: Parley,
  args: CliArgs,
  o: Output,
  stdin?: NodeJS.ReadStream,
): Promise<number> {
  for (const f of args.images) {
    await access(f).catch(() => {
      throw new UsageError(`--image ${f}: no such file`);
    });
  }
  const hasImage = args.images.length > 0;
  const words = args.rest.join(' ');
  const piped = await readStdin(stdin);
  const text =
    hasImage && words.trim() === '' && !piped?.trim()
      ? ''
      : buildPrompt(words, piped, parley.config.max_input_chars);
  const router = await parley.router();
  const decision = await router.route({ text, hasImage, intent: args.intent });
  const index = args.explain && text ? await router.index() : undefined;
  const nearest = index ? await index.nearest(text, EXAMPLES_SHOWN) : [];
  if (args.json) {
    const explain = args.explain ? { nearest } : {};
    o.out.write(`${JSON.stringify({ ...decision, ...explain })}\n`);
    return EXIT.ok;
  }
  o.out.write(`${decision.intent}\n`);
  // A rule or an override decides without the encoder; --explain still shows the scores.
  const scores = decision.scores.length || !index ? decision.scores : await index.score(text);
  const width = Math.max(0, ...router.list().map((i) => i.name.length));
  for (const s of scores) o.out.write(`${s.intent.padEnd(width)}  ${s.score.toFixed(4)}\n`);
  if (args.explain) o.out.write(explanation(decision, scores, nearest, width, o));
  return EXIT.ok;
}

function explanation(
  d: RouteDecision,
  scores: RouteDecision['scores'],
  nearest: NearestExamples[],
  width: number,
  o: Output,
): string {
  const lines = [
    '',
    `decided by: ${d.strategy}${d.encoder ? ` (${d.encoder})` : ''}${d.cached ? ', cached' : ''}: ${d.reason}`,
  ];
  const runnersUp = scores.map((s) => s.intent).filter((i) => i !== d.intent);
  if (nearest.length) {
    lines.push('closest examples (chosen first, then the runners-up):');
    for (const name of [d.intent, ...runnersUp]) {
      const n = nearest.find((x) => x.intent === name);
      for (const [k, e] of (n?.examples ?? []).entries()) {
        const label = k === 0 ? name.padEnd(width) : ' '.repeat(width);
        lines.push(`  ${label}  ${e.score.toFixed(4)}  ${paint(o, 'dim', JSON.stringify(e.text))}`);
      }
    }
  } else if (runnersUp.length) {
    lines.push(`runners-up: ${runnersUp.join(', ')}`);
  }
  const t = Object.entries(d.target).filter(([, v]) => v !== undefined);
  if (t.length)
    lines.push(`target: ${t.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`).join(' ')}`);
  return `${lines.join('\n')}\n`;
}
