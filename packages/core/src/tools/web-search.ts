/** `web_search`: Tavily's search API, with the key from `TAVILY_API_KEY`. */
import * as z from 'zod';
import { registerSecret } from '../secrets.js';
import type { Tool } from './types.js';
import { ToolError } from './types.js';

export const TAVILY_URL = 'https://api.tavily.com';

const Input = z
  .object({
    query: z.string().trim().min(1).max(400).describe('What to search the web for'),
    max_results: z.number().int().min(1).max(10).optional().describe('How many results (default 5)'),
  })
  .strict();

const Response = z.object({
  answer: z.string().nullish(),
  results: z.array(
    z.object({
      title: z.string().nullish(),
      url: z.string(),
      content: z.string().nullish(),
    }),
  ),
});

export interface WebSearchOptions {
  apiKey: string | undefined;
  baseUrl?: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch | undefined;
}

export function webSearchTool(o: WebSearchOptions): Tool<z.infer<typeof Input>> {
  if (o.apiKey) registerSecret(o.apiKey);
  return {
    name: 'web_search',
    description: 'Search the web; returns titles, URLs and snippets of the best results.',
    input: Input,
    safety: 'safe',
    async execute({ query, max_results }, ctx) {
      if (!o.apiKey) {
        throw new ToolError(
          'unavailable',
          'web_search needs a Tavily API key: set TAVILY_API_KEY (https://tavily.com)',
        );
      }
      const url = `${(o.baseUrl ?? TAVILY_URL).replace(/\/+$/, '')}/search`;
      const f = o.fetch ?? fetch;
      let res: globalThis.Response;
      try {
        res = await f(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` },
          body: JSON.stringify({
            query,
            max_results: max_results ?? 5,
            search_depth: 'basic',
            include_answer: true,
          }),
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(o.timeoutMs)]),
        });
      } catch (e) {
        throw new ToolError('failed', `web_search: Tavily could not be reached (${(e as Error).message})`);
      }
      if (!res.ok) {
        const body = (await res.text().catch(() => '')).slice(0, 300);
        const why =
          res.status === 401 || res.status === 403 ? 'the API key was refused' : `HTTP ${res.status}`;
        throw new ToolError('failed', `web_search: Tavily answered ${why}${body ? `: ${body}` : ''}`);
      }
      const parsed = Response.safeParse(await res.json().catch(() => undefined));
      if (!parsed.success)
        throw new ToolError('failed', 'web_search: Tavily sent an answer parley cannot read');
      const lines = parsed.data.results.map(
        (r, i) => `${i + 1}. ${r.title ?? r.url}\n   ${r.url}\n   ${(r.content ?? '').slice(0, 1000)}`,
      );
      const answer = parsed.data.answer ? `Answer: ${parsed.data.answer}\n\n` : '';
      return {
        forModel: `${answer}${lines.join('\n') || 'No results.'}`,
        forUser: `${parsed.data.results.length} results for "${query}"`,
      };
    },
  };
}
