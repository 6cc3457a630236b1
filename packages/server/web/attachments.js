/**
 * Files picked or dropped to go with the next message: images go in the `text` envelope's
 * `images`, every other file in its `attachments`, read into text by the server
 * (docs/PROTOCOL.md, docs/DOCUMENTS.md). Shown as removable thumbnails and chips until sent.
 */

/** The image types the protocol accepts. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
/** The protocol takes at most this many images per message. */
export const MAX_IMAGES = 16;
/** … and the server at most `attachments.max_files` other files (20 by default). */
export const MAX_FILES = 100;

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}

/** `1.5 MB`, `12 KB`, `300 bytes`. */
export function formatSize(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export class Attachments {
  /**
   * @param {HTMLUListElement} list where the thumbnails and chips go
   * @param {(message: string) => void} onError
   */
  constructor(list, onError) {
    this.list = list;
    this.onError = onError;
    /** @type {{ kind: 'image' | 'file', name: string, mediaType: string, data: string, size: number, url?: string }[]} */
    this.items = [];
  }

  /** The images to send. */
  images() {
    return this.items.filter((i) => i.kind === 'image');
  }

  /** The other files to send. */
  files() {
    return this.items.filter((i) => i.kind === 'file');
  }

  /** Add picked or dropped files: images as images, anything else as a file the server reads. */
  async add(files) {
    for (const file of files) {
      const image = IMAGE_TYPES.includes(file.type);
      if (image && this.images().length >= MAX_IMAGES) {
        this.onError(`at most ${MAX_IMAGES} images per message`);
        continue;
      }
      if (!image && this.files().length >= MAX_FILES) {
        this.onError(`at most ${MAX_FILES} files per message`);
        continue;
      }
      if (
        !image &&
        this.items.some((i) => i.kind === 'file' && i.name === file.name && i.size === file.size)
      ) {
        continue;
      }
      try {
        const data = await readBase64(file);
        this.items.push({
          kind: image ? 'image' : 'file',
          name: file.name,
          mediaType: file.type,
          data,
          size: file.size,
          ...(image ? { url: URL.createObjectURL(file) } : {}),
        });
      } catch (e) {
        this.onError(`${file.name}: ${e instanceof Error ? e.message : 'could not be read'}`);
      }
    }
    this.render();
  }

  /** Bytes the attachments add to the envelope (base64 text). */
  size() {
    return this.items.reduce((n, i) => n + i.data.length + i.name.length, 0);
  }

  /** Hand the attachments over for sending and clear the list (the thumbnails' URLs stay valid for the log). */
  take() {
    const items = this.items;
    this.items = [];
    this.render();
    return items;
  }

  remove(index) {
    const [gone] = this.items.splice(index, 1);
    if (gone?.url) URL.revokeObjectURL(gone.url);
    this.render();
  }

  render() {
    this.list.replaceChildren(
      ...this.items.map((item, index) => {
        const li = document.createElement('li');
        if (item.kind === 'image') {
          const img = document.createElement('img');
          img.src = item.url;
          img.alt = `attached image ${item.name}`;
          li.append(img);
        } else {
          li.className = 'file';
          const chip = document.createElement('span');
          chip.textContent = `${item.name} · ${formatSize(item.size)}`;
          chip.title = `attached file ${item.name}`;
          li.append(chip);
        }
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = '×';
        remove.setAttribute('aria-label', `Remove ${item.name}`);
        remove.addEventListener('click', () => this.remove(index));
        li.append(remove);
        return li;
      }),
    );
  }
}
