/**
 * Assistants from the command line, run as a user would: `parley assistant create|update|
 * list|show|rm`, `parley --assistant NAME "…"` on the real local engine (stories260K, one
 * thread) with its thread continued by `-c`, and every bad input refused with a clear error
 * while the stored assistants stay as they were.
 *
 * One test checks what reaches the model (the instructions as the system prompt, the
 * assistant's tools) at the HTTP wire: a local server in the OpenAI chat-completions format
 * stands in for a cloud API, which a test cannot reach.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../packages/core/src/store/sqlite/sqlite-conversation-store.js';
import { runParley, tempHome } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';
import { sseReply, startWireServer, type WireServer } from './helpers/wire-server.js';

let home: ReturnType<typeof tempHome>;
const env = () => ({ PARLEY_HOME: home.home, PARLEY_GPU: 'false' });
const parley = (...args: string[]) => runParley(args, { env: env() });
const local = ['--threads', '1', '--max-tokens', '16', '--temperature', '0'];

async function withStore<T>(fn: (s: SqliteConversationStore) => Promise<T>): Promise<T> {
  const s = SqliteConversationStore.open({ path: path.join(home.home, 'data', 'parley.db') });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

beforeAll(() => {
  home = tempHome();
});
afterAll(() => home.cleanup());

// Many child processes each: on a busy two-core machine these take longer than the default.
describe('parley assistant', { timeout: 240_000 }, () => {
  it('creates, lists, shows and updates an assistant', async () => {
    const c = await parley(
      'assistant',
      'create',
      'story',
      '--instructions',
      'Tell a short story.',
      '-m',
      STORIES,
    );
    expect(c.stderr).toContain('created assistant story');
    expect(c.code).toBe(0);
    const list = await parley('assistant', 'list');
    expect(list.stdout).toBe(`story\t${STORIES}\t-\tTell a short story.\n`);
    const json = JSON.parse((await parley('assistant', 'show', 'story', '--json')).stdout) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({
      name: 'story',
      instructions: 'Tell a short story.',
      model: STORIES,
      tools: [],
      threads: [],
    });
    const u = await parley('assistant', 'update', 'story', '--tools', 'read_file,list_dir');
    expect(u.code).toBe(0);
    expect((await parley('assistant', 'list')).stdout).toContain('\tread_file,list_dir\t');
    await parley('assistant', 'update', 'story', '--tools', 'all');
    await parley('assistant', 'update', 'story', '--instructions', 'Tell a short story.');
  });

  it('runs with --assistant: a new thread, then -c goes on with it', async () => {
    await parley('assistant', 'update', 'story', '--tools', 'read_file'); // the local engine ignores tools
    const first = await parley('--assistant', 'story', ...local, 'Once upon a time');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).not.toBe('');
    const again = await parley('--assistant', 'story', '-c', ...local, 'And then');
    expect(again.code).toBe(0);
    await withStore(async (s) => {
      const threads = await s.assistants.threads('story');
      expect(threads).toHaveLength(1);
      const t = threads[0]!;
      expect(t.system).toBe('Tell a short story.');
      expect(t.model).toBe(STORIES);
      expect(t.metadata).toMatchObject({ assistant: 'story', source: 'cli' });
      expect(t.messageCount).toBe(4);
    });
    // A turn without -c starts a second thread; show lists both, newest first.
    await parley('--assistant', 'story', ...local, 'A new tale');
    const shown = (await parley('assistant', 'show', 'story')).stdout;
    expect(shown).toContain('instructions:\n  Tell a short story.');
    expect(shown.match(/ {2}[0-9A-Z]{26} {2}\d+ messages/g)).toHaveLength(2);
  });

  it('refuses what is wrong, naming it, and leaves the stored assistants alone', async () => {
    const before = (await parley('assistant', 'show', 'story', '--json')).stdout;
    const cases: [string[], RegExp][] = [
      [['assistant', 'create', 'Bad Name!', '--instructions', 'x'], /bad assistant name "Bad Name!"/],
      [['assistant', 'create', '-x', '--instructions', 'x'], /option '-x'/],
      [['assistant', 'create', 'a'.repeat(65), '--instructions', 'x'], /bad assistant name/],
      [
        ['assistant', 'create', 'ok', '--instructions', 'x', '--tools', 'rm_rf'],
        /unknown tool "rm_rf": the tools are fetch_url/,
      ],
      [
        ['assistant', 'create', 'ok', '--instructions', 'x', '-m', 'nosuch:model'],
        /unknown provider "nosuch"/,
      ],
      [
        ['assistant', 'create', 'ok', '--instructions', 'x', '-m', 'local:not-downloaded'],
        /unknown model "local:not-downloaded"/,
      ],
      [
        ['assistant', 'create', 'ok', '--instructions', 'x', '-m', '/no/such/file.gguf'],
        /unknown model "\/no\/such\/file.gguf"/,
      ],
      [
        ['assistant', 'create', 'ok', '--instructions', 'x'.repeat(32_001)],
        /32001 characters long; the limit is 32000/,
      ],
      [['assistant', 'create', 'ok', '--instructions', '   '], /the instructions are empty/],
      [['assistant', 'create', 'ok'], /needs --instructions TEXT/],
      [
        ['assistant', 'create', 'story', '--instructions', 'Something else'],
        /assistant story exists already: .*--force replaces it/,
      ],
      [['assistant', 'update', 'story'], /nothing to change/],
      [
        ['assistant', 'update', 'ghost', '--tools', 'read_file'],
        /unknown assistant "ghost": the assistants are story/,
      ],
      [['assistant', 'show', 'ghost'], /unknown assistant "ghost"/],
      [['assistant', 'frobnicate'], /unknown subcommand "frobnicate"/],
      [['--assistant', 'ghost', 'hello'], /unknown assistant "ghost": the assistants are story/],
      [['--assistant', '../../etc', 'hello'], /unknown assistant "..\/..\/etc"/],
      [['--assistant', '', 'hello'], /--assistant needs the name of an assistant/],
      [['--instructions', 'x', 'hello'], /--instructions goes with parley assistant create/],
    ];
    for (const [args, message] of cases) {
      const r = await parley(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const rm = await parley('assistant', 'rm', 'ghost');
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain('no assistant with id "ghost"');
    expect((await parley('assistant', 'show', 'story', '--json')).stdout).toBe(before);
    expect((await parley('assistant', 'list')).stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('--conversation must be a thread of the assistant', async () => {
    await parley('--no-log', ...local, '-m', STORIES, 'x'); // not saved: no conversation
    const plain = await parley(...local, '-m', STORIES, 'A plain chat');
    expect(plain.code).toBe(0);
    const id = await withStore(async (s) => (await s.conversations.latest())!.id);
    const r = await parley('--assistant', 'story', '--conversation', id, ...local, 'hi');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`conversation "${id}" is not a thread of assistant story`);
  });

  it('--force replaces it; rm removes it and keeps its threads as conversations', async () => {
    const f = await parley('assistant', 'create', 'story', '--instructions', 'Be brief.', '--force');
    expect(f.stderr).toContain('replaced assistant story (model default; tools none)');
    const threads = await withStore((s) => s.assistants.threads('story'));
    const rm = await parley('assistant', 'rm', 'story');
    expect(rm.stderr).toContain('removed assistant story (its threads stay in the history)');
    expect((await parley('assistant', 'list')).stderr).toContain('no assistants yet');
    await withStore(async (s) => {
      for (const t of threads) expect(await s.conversations.get(t.id)).toBeDefined();
    });
  });
});

describe('an assistant at the wire', () => {
  let wire: WireServer;
  beforeAll(async () => {
    wire = await startWireServer();
  });
  afterAll(() => wire.close());

  it('sends its instructions as the system prompt and its tools, and -s adds to them', async () => {
    const e = { ...env(), PARLEY_BASE_URL: `${wire.url}/v1`, PARLEY_MAX_RETRIES: '0' };
    const run = (...args: string[]) => runParley(args, { env: e });
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    wire.reply(
      sseReply([chunk({ role: 'assistant', content: 'Hi.' }), chunk({}, 'stop'), 'data: [DONE]\n\n']),
    );
    const c = await run(
      'assistant',
      'create',
      'helper',
      '--instructions',
      'Be terse.',
      '-m',
      'openai-compatible:m',
      '--tools',
      'read_file',
    );
    expect(c.code).toBe(0);
    const r = await run('--assistant', 'helper', '-s', 'Answer in French.', 'hello');
    expect(r.stdout).toBe('Hi.\n');
    const body = wire.requests[0]?.body as {
      model: string;
      messages: { role: string; content: unknown }[];
      tools?: { function: { name: string } }[];
    };
    expect(body.model).toBe('m');
    expect(body.messages[0]).toEqual({ role: 'system', content: 'Be terse.\n\nAnswer in French.' });
    expect(body.tools?.map((t) => t.function.name)).toEqual(['read_file']);
  });
});
