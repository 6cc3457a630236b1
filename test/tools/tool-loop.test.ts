/**
 * The tool-calling loop with a scripted model: a tiny local model (stories260K) cannot call
 * tools, so the model's side of the conversation is scripted here; the loop, the registry,
 * the chat engine (runTurn) and the tools are the real ones. The last test runs the real
 * local engine to show a model that never calls a tool still answers normally.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { ChatEvent, ChatRequest, Confirmer, Tool } from '@parley/core';
import { createParley, runToolLoop, runTurn, ToolRegistry, userText } from '@parley/core';
import { answer, collect, ScriptedModel, textOf, type Step } from '../helpers/scripted-model.js';
import { STORIES } from '../helpers/models.js';

const usage = { inputTokens: 10, outputTokens: 4, totalTokens: 14 };
const timings = { ttftMs: 1, totalMs: 2, tokensPerSecond: null };

function callTools(...calls: { id: string; name: string; args: unknown }[]): Step[] {
  return [
    { type: 'text-delta', text: 'let me check. ' },
    ...calls.map((c) => ({ type: 'tool-call' as const, ...c })),
    { type: 'done', model: 'test:scripted', finishReason: 'tool-calls', usage, timings },
  ];
}

const add: Tool<{ a: number; b: number }> = {
  name: 'add',
  description: 'Add two numbers',
  input: z.object({ a: z.number(), b: z.number() }).strict(),
  safety: 'safe',
  execute: async ({ a, b }) => ({ forModel: String(a + b), forUser: `${a} + ${b} = ${a + b}` }),
};

const yes: Confirmer = async () => true;

function loop(
  model: ScriptedModel,
  registry: ToolRegistry,
  extra: { confirm?: Confirmer; maxSteps?: number; confirmTimeoutMs?: number } = {},
) {
  const request: ChatRequest = { messages: [userText('what is 1 + 2?')] };
  const turn = (r: ChatRequest) =>
    runTurn([model], r, {
      historyLimit: 100,
      maxRetries: 0,
      baseDelayMs: 1,
      maxDelayMs: 1,
      timeoutMs: 10_000,
    });
  return collect(runToolLoop(turn, request, { registry, confirm: extra.confirm ?? yes, ...extra }));
}

const terminals = (events: ChatEvent[]) =>
  events.filter((e) => e.type === 'done' || e.type === 'error' || e.type === 'interrupted');

describe('the tool loop', () => {
  it('runs a call, hands the result back and ends with the answer', async () => {
    const model = new ScriptedModel('test', 'scripted', (r, call) =>
      call === 1
        ? callTools({ id: 'c1', name: 'add', args: { a: 1, b: 2 } })
        : answer(`the sum is ${r.toolSteps?.[0]?.results[0]?.output}`),
    );
    const events = await loop(model, new ToolRegistry().register(add));
    expect(events.map((e) => e.type)).toEqual([
      'text-delta',
      'tool-call',
      'tool-result',
      'text-delta',
      'text-delta',
      'usage',
      'done',
    ]);
    expect(events[2]).toEqual({ type: 'tool-result', id: 'c1', name: 'add', result: '1 + 2 = 3' });
    expect(textOf(events)).toBe('let me check. the sum is 3');
    // The model was told about the tool as JSON schema, and got the step back on the second call.
    expect(model.requests[0]?.tools).toEqual([
      expect.objectContaining({
        name: 'add',
        inputSchema: expect.objectContaining({ type: 'object', required: ['a', 'b'] }),
      }),
    ]);
    expect(model.requests[1]?.toolSteps).toEqual([
      {
        text: 'let me check. ',
        calls: [{ type: 'tool-call', id: 'c1', name: 'add', args: { a: 1, b: 2 } }],
        results: [{ type: 'tool-result', id: 'c1', name: 'add', output: '3', isError: undefined }],
      },
    ]);
    const done = terminals(events);
    expect(done).toHaveLength(1);
    // Usage of both steps: 10 + 3 input tokens.
    expect(done[0]).toMatchObject({ type: 'done', finishReason: 'stop', usage: { inputTokens: 13 } });
  });

  it('stops at the step limit with a notice, and never runs the last calls', async () => {
    let runs = 0;
    const counted: Tool<{ a: number; b: number }> = {
      ...add,
      execute: async (a, c) => (runs++, add.execute(a, c)),
    };
    const model = new ScriptedModel('test', 'scripted', (_r, call) =>
      callTools({ id: `c${call}`, name: 'add', args: { a: call, b: 1 } }),
    );
    const events = await loop(model, new ToolRegistry().register(counted), { maxSteps: 3 });
    expect(model.calls).toBe(3);
    expect(runs).toBe(2);
    expect(events.find((e) => e.type === 'notice')).toMatchObject({ code: 'tool-steps-exhausted' });
    const last = events.filter((e) => e.type === 'tool-result').at(-1);
    expect(last).toMatchObject({ id: 'c3', isError: true });
    expect(terminals(events)).toEqual([
      expect.objectContaining({ type: 'done', finishReason: 'tool-calls' }),
    ]);
  });

  it('turns hostile calls into typed errors the model reads, and goes on', async () => {
    const huge = 'x'.repeat(2_000_000);
    const model = new ScriptedModel('test', 'scripted', (r, call) =>
      call === 1
        ? callTools(
            { id: 'u', name: 'rm_rf', args: {} },
            { id: 'w', name: 'add', args: { a: 'one', b: 2 } },
            { id: 'x', name: 'add', args: { a: 1, b: 2, extra: true } },
            { id: 'h', name: 'add', args: { a: huge, b: 1 } },
            { id: 's', name: 'add', args: '{not json' },
            { id: 'n', name: 'add', args: null },
          )
        : answer(`saw ${r.toolSteps?.[0]?.results.filter((x) => x.isError).length} errors`),
    );
    const events = await loop(model, new ToolRegistry().register(add));
    const results = events.filter((e) => e.type === 'tool-result');
    expect(results.map((e) => (e.result as { code: string }).code)).toEqual([
      'unknown_tool',
      'invalid_args',
      'invalid_args',
      'too_large',
      'invalid_args',
      'invalid_args',
    ]);
    expect(results.every((e) => e.isError === true)).toBe(true);
    expect((results[0]?.result as { message: string }).message).toContain(
      'there is no tool "rm_rf"; the tools are add',
    );
    expect((results[1]?.result as { message: string }).message).toMatch(/^add: a: /);
    expect(textOf(events)).toContain('saw 6 errors');
    expect(model.requests[1]?.toolSteps?.[0]?.results[0]?.output).toMatch(/^error \(unknown_tool\)/);
  });

  it('a tool that throws is a failed result, not a crash', async () => {
    const broken: Tool<Record<string, never>> = {
      name: 'broken',
      description: 'fails',
      input: z.object({}).strict(),
      safety: 'safe',
      execute: async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    };
    const model = new ScriptedModel('test', 'scripted', (_r, call) =>
      call === 1 ? callTools({ id: 'b', name: 'broken', args: {} }) : answer('ok'),
    );
    const events = await loop(model, new ToolRegistry().register(broken));
    expect(events.find((e) => e.type === 'tool-result')).toMatchObject({
      isError: true,
      result: { code: 'failed', message: 'cannot read properties of undefined' },
    });
    expect(terminals(events)).toEqual([expect.objectContaining({ type: 'done' })]);
  });

  describe('confirmation', () => {
    const risky: Tool<{ a: number; b: number }> = { ...add, name: 'risky_add', safety: 'confirm' };
    const script = (_r: ChatRequest, call: number): Step[] =>
      call === 1 ? callTools({ id: 'r', name: 'risky_add', args: { a: 2, b: 2 } }) : answer('fine');

    it('asks before a confirm tool runs, with the call in the question', async () => {
      const asked: unknown[] = [];
      const events = await loop(
        new ScriptedModel('test', 'scripted', script),
        new ToolRegistry().register(risky),
        {
          confirm: async (q) => (asked.push(q), true),
        },
      );
      expect(asked).toEqual([
        {
          id: 'r',
          tool: 'risky_add',
          safety: 'confirm',
          args: { a: 2, b: 2 },
          summary: 'risky_add {"a":2,"b":2}',
        },
      ]);
      expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ result: '2 + 2 = 4' });
    });

    it('a no is a denied result', async () => {
      const events = await loop(
        new ScriptedModel('test', 'scripted', script),
        new ToolRegistry().register(risky),
        {
          confirm: async () => false,
        },
      );
      expect(events.find((e) => e.type === 'tool-result')).toMatchObject({
        isError: true,
        result: { code: 'denied' },
      });
    });

    it('no answer within the timeout is a no', async () => {
      let signalled = false;
      const events = await loop(
        new ScriptedModel('test', 'scripted', script),
        new ToolRegistry().register(risky),
        {
          confirmTimeoutMs: 30,
          confirm: (_q, signal) =>
            new Promise<boolean>(() => signal.addEventListener('abort', () => (signalled = true))),
        },
      );
      expect(events.find((e) => e.type === 'tool-result')).toMatchObject({
        isError: true,
        result: { code: 'denied' },
      });
      expect(signalled).toBe(true);
    });

    it('a confirmer that throws is a no', async () => {
      const events = await loop(
        new ScriptedModel('test', 'scripted', script),
        new ToolRegistry().register(risky),
        {
          confirm: async () => {
            throw new Error('the terminal went away');
          },
        },
      );
      expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ result: { code: 'denied' } });
    });
  });

  it('the real local engine with tools on: a tiny model never calls one, and the turn just answers', async () => {
    // stories260K has no tool-calling template; the loop must hand back its plain answer.
    const { tempHome } = await import('../helpers/cli.js');
    const home = tempHome();
    const parley = createParley({
      env: { PARLEY_HOME: home.home },
      config: { model: STORIES, max_tokens: 16, local: { threads: 1, gpu: false }, store: { log: false } },
    });
    try {
      const events = await collect(
        parley.stream('Once upon a time', {
          tools: { registry: new ToolRegistry().register(add), confirm: yes },
        }),
      );
      expect(events.some((e) => e.type === 'tool-call')).toBe(false);
      expect(textOf(events).length).toBeGreaterThan(0);
      expect(terminals(events)).toEqual([expect.objectContaining({ type: 'done' })]);
    } finally {
      await parley.dispose();
      home.cleanup();
    }
  });
});
