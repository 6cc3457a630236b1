/** Command-line parsing: every flag is checked here and turned into a config layer. */
import { parseArgs } from 'node:util';
import type { ConfigLayer } from '@parley/core';
import { UsageError } from '@parley/core';

export interface CliArgs {
  command:
    | 'prompt'
    | 'chat'
    | 'models'
    | 'config'
    | 'history'
    | 'import'
    | 'serve'
    | 'cache'
    | 'template'
    | 'tools'
    | 'mcp'
    | 'migrate'
    | 'route'
    | 'stats'
    | 'load-test'
    | 'assistant'
    | 'image'
    | 'docs'
    | 'transcribe'
    | 'say'
    | 'help'
    | 'version';
  /** Words after a subcommand (`models pull REF` → ['pull', 'REF']). */
  rest: string[];
  prompt: string | undefined;
  flags: ConfigLayer;
  model: string | undefined;
  images: string[];
  /** `-f/--file PATH` (repeatable; folders and globs allowed): files attached to the prompt. */
  files: string[];
  race: string[] | undefined;
  json: boolean;
  stream: boolean;
  verbose: boolean;
  configFile: string | undefined;
  sha256: string | undefined;
  /** `-c`: go on with the most recent conversation. */
  continue: boolean;
  /** `--conversation ID`: go on with this conversation. */
  conversation: string | undefined;
  /** `history export --format json|md`. */
  format: string | undefined;
  /** `history search --fts`: the FTS5 query syntax. */
  fts: boolean;
  /** `history list --limit N`. */
  limit: number | undefined;
  /** `--template NAME`: the prompt is this template, rendered. */
  template: string | undefined;
  /** `--vars JSON` or `--vars @file.json`: the template's variables. */
  vars: string | undefined;
  /** `--tools a,b` or `--tools all`: tools the model may call this turn. */
  tools: string[] | undefined;
  /** `--yes`: allow tools that ask for confirmation (not `dangerous` ones). */
  yes: boolean;
  /** `--intent NAME`: route to this intent, whatever the text says. */
  intent: string | undefined;
  /** `--route`: route this turn (a one-shot); `--no-route`: don't. */
  route: boolean | undefined;
  /** `route --explain`: the runners-up and their closest examples. */
  explain: boolean;
  /** `stats --since 24h`. */
  since: string | undefined;
  /** `stats --export FILE.json`. */
  export: string | undefined;
  /** `load-test` settings. */
  load: LoadTestArgs;
  /** `--assistant NAME`: the turn goes to this assistant (docs/assistants.md). */
  assistant: string | undefined;
  /** `assistant create --instructions TEXT`. */
  instructions: string | undefined;
  /** `assistant create --force`: replace an assistant of that name. */
  force: boolean;
  /** `image --size WxH`. */
  size: string | undefined;
  /** `image -o FILE`, `say -o FILE` (`-` for stdout) and `load-test --output FILE`. */
  output: string | undefined;
  /** `--docs NAME`: answer from this document collection. */
  docs: string | undefined;
}

/** The flags of `parley load-test`. */
export interface LoadTestArgs {
  url: string | undefined;
  concurrency: number | undefined;
  requests: number | undefined;
  duration: string | undefined;
  prompt: string | undefined;
  prompts: string | undefined;
  output: string | undefined;
  report: string | undefined;
}

const OPTIONS = {
  model: { type: 'string', short: 'm' },
  system: { type: 'string', short: 's' },
  temperature: { type: 'string' },
  'max-tokens': { type: 'string' },
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  fallback: { type: 'string' },
  race: { type: 'string' },
  cache: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  template: { type: 'string' },
  vars: { type: 'string' },
  image: { type: 'string', short: 'i', multiple: true },
  file: { type: 'string', short: 'f', multiple: true },
  stream: { type: 'boolean' },
  'no-stream': { type: 'boolean' },
  json: { type: 'boolean' },
  threads: { type: 'string' },
  timeout: { type: 'string' },
  config: { type: 'string' },
  sha256: { type: 'string' },
  verbose: { type: 'boolean' },
  continue: { type: 'boolean', short: 'c' },
  conversation: { type: 'string' },
  'no-log': { type: 'boolean' },
  format: { type: 'string' },
  fts: { type: 'boolean' },
  limit: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  tools: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  intent: { type: 'string' },
  route: { type: 'boolean' },
  'no-route': { type: 'boolean' },
  explain: { type: 'boolean' },
  think: { type: 'boolean' },
  since: { type: 'string' },
  export: { type: 'string' },
  url: { type: 'string' },
  concurrency: { type: 'string' },
  requests: { type: 'string' },
  duration: { type: 'string' },
  prompt: { type: 'string' },
  prompts: { type: 'string' },
  output: { type: 'string', short: 'o' },
  assistant: { type: 'string' },
  instructions: { type: 'string' },
  force: { type: 'boolean' },
  size: { type: 'string' },
  report: { type: 'string' },
  docs: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function num(flag: string, raw: string | undefined, int: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} must be ${int ? 'a whole number' : 'a number'}, got "${raw}"`);
  }
  return n;
}

function list(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Parse argv (without `node` and the script). Throws `UsageError` naming the bad flag. */
export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${msg}; see parley --help`);
  }
  const v = parsed.values;
  const pos = parsed.positionals;
  let command: CliArgs['command'] = 'prompt';
  let rest: string[] = [];
  let prompt: string | undefined;
  if (v.help) command = 'help';
  else if (v.version) command = 'version';
  else if (
    pos[0] === 'chat' ||
    pos[0] === 'history' ||
    pos[0] === 'import' ||
    pos[0] === 'models' ||
    pos[0] === 'config' ||
    pos[0] === 'serve' ||
    pos[0] === 'cache' ||
    pos[0] === 'template' ||
    pos[0] === 'tools' ||
    pos[0] === 'mcp' ||
    pos[0] === 'migrate' ||
    pos[0] === 'route' ||
    pos[0] === 'stats' ||
    pos[0] === 'load-test' ||
    pos[0] === 'assistant' ||
    pos[0] === 'image' ||
    pos[0] === 'docs' ||
    pos[0] === 'transcribe' ||
    pos[0] === 'say'
  ) {
    command = pos[0];
    rest = pos.slice(1);
  } else if (pos.length > 0) prompt = pos.join(' ');

  const flags: ConfigLayer = {};
  if (v.system !== undefined) flags.system = v.system;
  const temperature = num('temperature', v.temperature, false);
  if (temperature !== undefined) flags.temperature = temperature;
  const maxTokens = num('max-tokens', v['max-tokens'], true);
  if (maxTokens !== undefined) flags.max_tokens = maxTokens;
  if (v['base-url'] !== undefined) flags.base_url = v['base-url'];
  if (v['api-key'] !== undefined) flags.api_key = v['api-key'];
  const fallback = list(v.fallback);
  if (fallback) flags.fallback = fallback;
  const threads = num('threads', v.threads, true);
  if (threads !== undefined) flags.local = { threads };
  const timeout = num('timeout', v.timeout, true);
  if (timeout !== undefined) flags.timeout_ms = timeout;
  if (v.model !== undefined) {
    if (v.model.trim() === '') throw new UsageError('--model must not be empty');
    flags.model = v.model;
  }
  const port = num('port', v.port, true);
  if (port !== undefined && (port < 0 || port > 65535))
    throw new UsageError(`--port must be 0-65535, got ${port}`);
  if (v.host !== undefined || port !== undefined || v.token !== undefined) {
    const tokenOnly = v.host === undefined && port === undefined;
    if (command !== 'serve' && !(command === 'load-test' && tokenOnly)) {
      throw new UsageError('--host, --port and --token go with parley serve (--token also with load-test)');
    }
    flags.server = { host: v.host, port, token: v.token };
  }
  if (v['no-log']) flags.store = { log: false };
  if (v.think) flags.think = true;
  if (v.cache && v['no-cache']) throw new UsageError('--cache and --no-cache contradict each other: use one');
  if (v['no-cache']) flags.cache = { enabled: false };
  if (v.cache) flags.cache = { enabled: true, mode: 'always' };
  if (v.vars !== undefined && v.template === undefined && command !== 'template') {
    throw new UsageError('--vars goes with --template NAME (or parley template render NAME)');
  }
  if (v.continue && v.conversation !== undefined) {
    throw new UsageError('--continue and --conversation both pick a conversation: use one');
  }
  const limit = num('limit', v.limit, true);
  if (limit !== undefined && limit < 0) throw new UsageError(`--limit must be 0 or more, got ${limit}`);
  const tools = list(v.tools);
  if (v.tools !== undefined && tools?.length === 0) {
    throw new UsageError('--tools needs tool names separated by commas, or all (see parley tools list)');
  }
  if (v.route && v['no-route']) throw new UsageError('--route and --no-route contradict each other: use one');
  if (v.explain && command !== 'route') throw new UsageError('--explain goes with parley route "text"');
  if (v.intent !== undefined && v.intent.trim() === '') throw new UsageError('--intent must not be empty');
  const loadFlags = [
    'url',
    'concurrency',
    'requests',
    'duration',
    'prompt',
    'prompts',
    'output',
    'report',
  ] as const;
  if (command !== 'load-test') {
    const stray = loadFlags.find(
      (f) => v[f] !== undefined && !(f === 'output' && (command === 'image' || command === 'say')),
    );
    if (stray)
      throw new UsageError(
        `--${stray} goes with parley load-test${stray === 'output' ? ' (-o also with parley image and parley say)' : ''}`,
      );
  }
  if (command !== 'stats' && (v.since !== undefined || v.export !== undefined)) {
    throw new UsageError(`--${v.since !== undefined ? 'since' : 'export'} goes with parley stats`);
  }
  const concurrency = num('concurrency', v.concurrency, true);
  if (concurrency !== undefined && concurrency < 1) throw new UsageError('--concurrency must be 1 or more');
  const requests = num('requests', v.requests, true);
  if (requests !== undefined && requests < 1) throw new UsageError('--requests must be 1 or more');
  if ((v.instructions !== undefined || v.force) && command !== 'assistant') {
    throw new UsageError(`--${v.force ? 'force' : 'instructions'} goes with parley assistant create`);
  }
  if (v.size !== undefined && command !== 'image') throw new UsageError('--size goes with parley image');
  if (v.assistant !== undefined && command !== 'prompt' && command !== 'chat') {
    throw new UsageError('--assistant goes with a prompt or parley chat');
  }
  if (v.assistant !== undefined && v.assistant.trim() === '') {
    throw new UsageError('--assistant needs the name of an assistant (parley assistant list)');
  }
  if (v.file !== undefined && command !== 'prompt') {
    throw new UsageError(
      command === 'chat'
        ? '--file goes with a prompt; in the chat, use /attach PATH'
        : '--file goes with a prompt',
    );
  }
  if (v.docs !== undefined) {
    if (v.docs.trim() === '') throw new UsageError('--docs needs a collection name (see parley docs list)');
    if (command !== 'prompt')
      throw new UsageError('--docs NAME goes with a question: parley --docs NAME "question"');
  }
  const race = list(v.race);
  if (race && race.length < 2) throw new UsageError('--race needs at least two models, separated by commas');
  return {
    command,
    rest,
    prompt,
    flags,
    model: v.model,
    images: v.image ?? [],
    files: v.file ?? [],
    race,
    json: v.json === true,
    stream: v['no-stream'] !== true,
    verbose: v.verbose === true,
    configFile: v.config,
    sha256: v.sha256,
    continue: v.continue === true,
    conversation: v.conversation,
    format: v.format,
    fts: v.fts === true,
    limit,
    template: v.template,
    vars: v.vars,
    tools,
    yes: v.yes === true,
    intent: v.intent,
    route: v.route ? true : v['no-route'] ? false : undefined,
    explain: v.explain === true,
    since: v.since,
    export: v.export,
    load: {
      url: v.url,
      concurrency,
      requests,
      duration: v.duration,
      prompt: v.prompt,
      prompts: v.prompts,
      output: v.output,
      report: v.report,
    },
    assistant: v.assistant,
    instructions: v.instructions,
    force: v.force === true,
    size: v.size,
    output: v.output,
    docs: v.docs,
  };
}
