/** `-f/--file`: the files a one-shot attaches, read before any model loads (loaded on demand). */
import { attachmentSettings, readAttachmentFiles, type ExtractedDocument, type Parley } from '@parley/core';

/** Read the files, folders and globs given with `-f`, within `[attachments]`. */
export function readCliFiles(parley: Parley, specs: string[]): Promise<ExtractedDocument[]> {
  return readAttachmentFiles(specs, { settings: attachmentSettings(parley.config) });
}
