import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { eventually, startTestServer, WsClient, type Envelope } from './helpers.js';

// A `text` turn that answers from a document collection (`docs`): the `citations` envelope,
// on the real local engine, with a collection indexed in the server's PARLEY_HOME.
let t: Awaited<ReturnType<typeof startTestServer>>;
let cleanupDocs: () => void;

const SETUP = [
  '# Setup',
  '',
  'Install the zebrafish toolkit with the package manager.',
  'The zebrafish toolkit needs a configuration file called zebra.toml.',
  'Run zebrafish init to create the zebra.toml file.',
  '',
].join('\n');
const COOKING = ['# Cooking', '', 'Boil the pasta for ten minutes.', 'Add salt to the water.', ''].join('\n');

beforeAll(async () => {
  const docs = tempHome();
  cleanupDocs = docs.cleanup;
  mkdirSync(join(docs.home, 'notes'));
  writeFileSync(join(docs.home, 'notes', 'setup.md'), SETUP);
  writeFileSync(join(docs.home, 'notes', 'cooking.md'), COOKING);
  t = await startTestServer({ config: { max_tokens: 8 } });
  await t.parley.documents().add('manual', [join(docs.home, 'notes')]);
});
afterAll(async () => {
  await t.close();
  cleanupDocs();
});

async function connect(): Promise<{ c: WsClient; ready: Envelope }> {
  const c = await WsClient.open(t.wsUrl);
  return { c, ready: await c.request({ type: 'hello' }) };
}

describe('text with docs', () => {
  it('ready lists the collections', async () => {
    const { c, ready } = await connect();
    expect(ready.collections).toEqual(['manual']);
    c.close();
  });

  it('sends citations after turn and before the model, and keeps the typed text', async () => {
    const { c, ready } = await connect();
    const question = 'How do I create the zebrafish zebra.toml file?';
    c.send({ type: 'text', id: 'd1', text: question, docs: 'manual' });
    const events = await c.turn('d1');
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('turn');
    expect(types[1]).toBe('citations');
    expect(types).toContain('done');
    const cites = events[1]?.citations as { n: number; path: string; startLine?: number; endLine?: number }[];
    expect(cites.length).toBeGreaterThan(0);
    expect(cites[0]).toMatchObject({ n: 1, startLine: 1, endLine: 5, collection: 'manual' });
    expect(cites[0]?.path).toMatch(/setup\.md$/);
    expect(cites.map((x) => x.n)).toEqual(cites.map((_, i) => i + 1));

    // The history keeps what was typed, not the passages the model was given.
    c.close();
    const history = await eventually(async () => {
      const again = await WsClient.open(t.wsUrl);
      const resumed = await again.request({ type: 'hello', session: ready.session });
      again.close();
      const h = resumed.history as { role: string; text: string }[];
      return h.length > 0 ? h : undefined;
    }, 'the turn is saved');
    expect(history[0]).toEqual({ role: 'user', text: question, images: 0 });
  });

  it('refuses an unknown collection, a bad name and a wrong type; the connection lives on', async () => {
    const { c } = await connect();
    const bad = async (docs: unknown, id: string, withId = true): Promise<Envelope> => {
      const e = await c.request({ type: 'text', id, text: 'hi', docs }, (x) => x.type === 'error');
      expect(e.error?.code).toBe('bad_request');
      // A field of the wrong type fails the frame before its id is read.
      expect(e.turn).toBe(withId ? id : undefined);
      return e;
    };
    expect((await bad('nosuch', 'b1')).error?.message).toContain('nosuch');
    expect((await bad('', 'b2')).error?.message).toContain('docs');
    expect((await bad('x'.repeat(65), 'b3')).error?.message).toContain('docs');
    expect((await bad('../etc', 'b4')).error?.message).toContain('docs');
    expect((await bad(7, 'b5', false)).error?.message).toContain('docs');
    expect((await bad(['manual'], 'b6', false)).error?.message).toContain('docs');
    expect(c.received.some((e) => e.type === 'turn')).toBe(false);
    const pong = await c.request({ type: 'ping', id: 1 });
    expect(pong).toEqual({ type: 'pong', id: 1 });
    c.close();
  });
});
