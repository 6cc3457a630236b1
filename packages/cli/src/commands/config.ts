/** `parley config show | path`. */
import { EXIT, UsageError, maskKey, redact, type Parley } from '@parley/core';
import type { CliArgs } from '../args.js';
import type { Output } from '../output.js';

/** The effective config with every key replaced by a mask. */
export function redactedConfig(parley: Parley): Record<string, unknown> {
  const c = structuredClone(parley.config) as Record<string, unknown> & {
    api_key?: string;
    providers: Record<string, { api_key?: string }>;
    server?: { token?: string };
    store?: { url?: string };
  };
  if (c.api_key) c.api_key = maskKey(c.api_key);
  for (const p of Object.values(c.providers)) if (p.api_key) p.api_key = maskKey(p.api_key);
  if (c.server?.token) c.server.token = maskKey(c.server.token);
  if (c.store?.url) c.store.url = redact(c.store.url);
  return c;
}

export function runConfigCommand(parley: Parley, args: CliArgs, o: Output): number {
  const sub = args.rest[0];
  if (sub === 'path') {
    const p = parley.paths;
    o.out.write(
      `config file: ${p.configFile}\nconfig dir:  ${p.config}\ndata dir:    ${p.data}\nmodels dir:  ${p.models}\ncache dir:   ${p.cache}\nstate dir:   ${p.state}\n`,
    );
    return EXIT.ok;
  }
  if (sub === 'show') {
    o.out.write(`${JSON.stringify(redactedConfig(parley), null, 2)}\n`);
    return EXIT.ok;
  }
  throw new UsageError(`unknown config command "${sub ?? ''}": use parley config show | path`);
}
