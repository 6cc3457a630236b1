/**
 * The model parley suggests when it has none, and the message that says how to get one.
 */

/** A downloadable model parley knows about. */
export interface KnownModel {
  /** What `parley models pull` takes. */
  ref: string;
  /** The file name the download gets in the models folder. */
  file: string;
  /** A human-readable name. */
  name: string;
  /** SPDX licence id of the weights. */
  licence: string;
  /** Rough download size in bytes, for messages and progress before the server answers. */
  approxBytes: number;
}

/**
 * The default local model: Qwen2.5 1.5B Instruct, quantised to Q4_K_M (about 1.1 GB).
 *
 * Why this one: a ~1.5B-parameter instruct model is the largest size that still answers at
 * a comfortable reading speed on the CPU of an ordinary laptop (no GPU, 8 GB of RAM), while
 * being far more useful than the sub-1B models. Qwen2.5 1.5B Instruct follows
 * instructions well for its size, ships a chat template in the GGUF, handles a long
 * context and many languages, and is published by its authors (not a third party) under
 * the permissive Apache-2.0 licence. Q4_K_M is the usual quality/size sweet spot of
 * llama.cpp quantisations.
 */
export const DEFAULT_LOCAL_MODEL: KnownModel = {
  ref: 'hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M',
  file: 'qwen2.5-1.5b-instruct-q4_k_m.gguf',
  name: 'Qwen2.5 1.5B Instruct (Q4_K_M)',
  licence: 'Apache-2.0',
  approxBytes: 1_120_000_000,
};

/**
 * The message shown when parley is offline (no provider reachable or configured) and has
 * no local model: how to download the default model, how to use a GGUF file you already
 * have, and where downloaded files go.
 */
export function howToGetAModel(modelsDir: string): string {
  const m = DEFAULT_LOCAL_MODEL;
  const gb = (m.approxBytes / 1e9).toFixed(1);
  return [
    'No local model is available, and no online provider can be used.',
    '',
    `To download the default model, ${m.name} (about ${gb} GB, ${m.licence} licence), run:`,
    `  parley models pull ${m.ref}`,
    '',
    'Or use a GGUF file you already have:',
    '  parley --model ./file.gguf',
    '  PARLEY_MODEL=./file.gguf parley',
    '',
    `Downloaded models are stored in ${modelsDir}`,
    "(any .gguf file you copy there works too; 'parley models list' shows them).",
  ].join('\n');
}
