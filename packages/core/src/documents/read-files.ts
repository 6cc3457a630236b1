/** Reading the files a user named (`-f`, `/attach`) into documents, within the attachment limits. */
import { checkAttachmentLimits, type AttachmentSettings } from './attach.js';
import { extractFile } from './extract.js';
import { expandFilePaths } from './file-paths.js';
import type { ExtractedDocument } from './types.js';

export interface ReadFilesOptions {
  settings: AttachmentSettings;
  /** The folder relative paths start from (default `process.cwd()`). */
  cwd?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Expand the specs (files, folders, globs) and read every file, in order.
 *
 * @throws DocumentRefusedError naming the first file that cannot be attached, and why
 */
export async function readAttachmentFiles(
  specs: readonly string[],
  opts: ReadFilesOptions,
): Promise<ExtractedDocument[]> {
  const files = await expandFilePaths(specs, {
    maxFiles: opts.settings.maxFiles,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  const docs: ExtractedDocument[] = [];
  for (const f of files) {
    opts.signal?.throwIfAborted();
    docs.push(
      await extractFile(f.absPath, {
        maxBytes: opts.settings.maxFileBytes,
        displayPath: f.displayPath,
        signal: opts.signal,
      }),
    );
    checkAttachmentLimits(docs, opts.settings);
  }
  return docs;
}
