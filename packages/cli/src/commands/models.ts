/** `parley models pull REF | list`. */
import { EXIT, UsageError, listModels, pullModel, type Parley } from '@parley/core';
import type { CliArgs } from '../args.js';
import type { Output } from '../output.js';
import { createProgressBar } from '../progress-bar.js';

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function runModelsCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  const [sub, ref, ...extra] = args.rest;
  const dir = parley.paths.models;
  if (sub === 'list') {
    const models = await listModels(dir);
    if (models.length === 0) {
      o.err.write(`no models in ${dir}; get one with: parley models pull <hf:org/repo:QUANT | https URL>\n`);
      return EXIT.ok;
    }
    for (const m of models) o.out.write(`${m.name}\t${mb(m.bytes)}\t${m.path}\n`);
    return EXIT.ok;
  }
  if (sub === 'pull') {
    if (!ref || extra.length > 0)
      throw new UsageError('usage: parley models pull <hf:org/repo:QUANT | https URL> [--sha256 HEX]');
    const ac = new AbortController();
    const onSigint = (): void => ac.abort(new Error('interrupted by Ctrl+C'));
    process.on('SIGINT', onSigint);
    let bar: ReturnType<typeof createProgressBar> | undefined;
    try {
      const r = await pullModel(ref, {
        modelsDir: dir,
        signal: ac.signal,
        ...(args.sha256 ? { sha256: args.sha256 } : {}),
        ...(process.env.HF_ENDPOINT ? { hfEndpoint: process.env.HF_ENDPOINT } : {}),
        onProgress: (p) => {
          bar ??= createProgressBar(o.err as NodeJS.WriteStream, { label: p.file });
          bar.update(p.receivedBytes, p.totalBytes);
        },
      });
      bar?.done(
        `${r.file}: ${mb(r.bytes)}${r.resumed ? ' (resumed)' : ''}, sha256 ${r.sha256.slice(0, 12)}… ${r.verified === 'none' ? 'not checked (no checksum known)' : 'verified'}`,
      );
      o.out.write(`${r.path}\n`);
      return EXIT.ok;
    } catch (e) {
      if (ac.signal.aborted) {
        o.err.write('parley: download interrupted; run the same command again to resume\n');
        return EXIT.interrupted;
      }
      throw e;
    } finally {
      process.off('SIGINT', onSigint);
    }
  }
  throw new UsageError(`unknown models command "${sub ?? ''}": use parley models pull <ref> | list`);
}
