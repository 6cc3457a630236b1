/**
 * `parley template list | show NAME | create NAME [FILE] | rm NAME | render NAME --vars JSON`,
 * and `--template NAME --vars JSON` for a prompt.
 */
import { readFile } from 'node:fs/promises';
import { EXIT, TemplateLibrary, UsageError, type Parley, type TemplateSummary } from '@parley/core';
import type { CliArgs } from '../args.js';
import { readStdin } from '../input.js';
import type { Output } from '../output.js';

const USAGE = 'use parley template list | show NAME | create NAME [FILE] | rm NAME | render NAME --vars JSON';

/** The templates of this parley: `<config dir>/templates`. */
export function templateLibrary(parley: Parley): TemplateLibrary {
  return new TemplateLibrary({ dir: parley.paths.templates });
}

/** `--vars`: JSON, or `@file.json`; undefined when not given. */
export async function readVars(raw: string | undefined): Promise<unknown> {
  if (raw === undefined) return undefined;
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = await readFile(raw.slice(1), 'utf8');
    } catch (e) {
      throw new UsageError(
        `--vars ${raw}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`--vars must be a JSON object (or @file.json): ${(e as Error).message}`);
  }
}

/** The prompt of a `--template` call: the rendered template, then the prompt words if any. */
export async function templatePrompt(parley: Parley, args: CliArgs): Promise<string | undefined> {
  if (args.template === undefined) return args.prompt;
  const text = await templateLibrary(parley).render(args.template, await readVars(args.vars));
  return args.prompt === undefined ? text : `${text}\n\n${args.prompt}`;
}

function describe(t: TemplateSummary): string {
  if (t.error) return `${t.name}\t(broken: ${t.error})`;
  const vars = t.variables.map((v) => `${v.name}${v.required ? '' : '?'}:${v.type}`).join(' ');
  const tags = t.tags.length > 0 ? ` [${t.tags.join(', ')}]` : '';
  const parent = t.extends ? ` (extends ${t.extends})` : '';
  return `${t.name}\t${t.description ?? ''}${tags}${parent}${vars ? `\t${vars}` : ''}`;
}

export async function runTemplateCommand(
  parley: Parley,
  args: CliArgs,
  o: Output,
  stdin?: NodeJS.ReadStream,
): Promise<number> {
  const [sub, name, file, ...extra] = args.rest;
  const lib = templateLibrary(parley);
  const needName = (): string => {
    if (!name) throw new UsageError(`name a template: ${USAGE}`);
    return name;
  };
  if (extra.length > 0 || (file !== undefined && sub !== 'create')) {
    throw new UsageError(`unexpected ${[file, ...extra].filter(Boolean).join(' ')}: ${USAGE}`);
  }
  switch (sub ?? 'list') {
    case 'list': {
      const all = await lib.list();
      if (args.json) o.out.write(`${JSON.stringify(all)}\n`);
      else if (all.length === 0)
        o.err.write(`no templates in ${lib.dir}; add one with: parley template create NAME FILE\n`);
      else for (const t of all) o.out.write(`${describe(t)}\n`);
      return EXIT.ok;
    }
    case 'show':
      o.out.write(await lib.source(needName()));
      return EXIT.ok;
    case 'create': {
      const n = needName();
      const source = file !== undefined && file !== '-' ? await readSource(file) : await readStdin(stdin);
      if (source === undefined || source.trim() === '') {
        throw new UsageError('give the template as a FILE, or pipe it in: parley template create NAME FILE');
      }
      o.err.write(`created ${await lib.create(n, source)}\n`);
      return EXIT.ok;
    }
    case 'rm':
      await lib.remove(needName());
      o.err.write(`removed ${name}\n`);
      return EXIT.ok;
    case 'render': {
      const text = await lib.render(needName(), await readVars(args.vars));
      o.out.write(text.endsWith('\n') ? text : `${text}\n`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown template command "${sub}": ${USAGE}`);
  }
}

async function readSource(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
}
