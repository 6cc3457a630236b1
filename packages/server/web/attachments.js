/**
 * Images picked to go with the next message: read as base64 for the `text` envelope's
 * `images` (docs/PROTOCOL.md), shown as removable thumbnails until sent.
 */

/** The image types the protocol accepts. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
/** The protocol takes at most this many images per message. */
export const MAX_IMAGES = 16;

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

export class Attachments {
  /**
   * @param {HTMLUListElement} list where the thumbnails go
   * @param {(message: string) => void} onError
   */
  constructor(list, onError) {
    this.list = list;
    this.onError = onError;
    /** @type {{ name: string, mediaType: string, data: string, url: string }[]} */
    this.items = [];
  }

  /** Add the picked files; unsupported types are refused with a message. */
  async add(files) {
    for (const file of files) {
      if (!IMAGE_TYPES.includes(file.type)) {
        this.onError(`${file.name}: only PNG, JPEG, GIF and WebP images can be attached`);
        continue;
      }
      if (this.items.length >= MAX_IMAGES) {
        this.onError(`at most ${MAX_IMAGES} images per message`);
        break;
      }
      try {
        const data = await readBase64(file);
        this.items.push({ name: file.name, mediaType: file.type, data, url: URL.createObjectURL(file) });
      } catch (e) {
        this.onError(`${file.name}: ${e instanceof Error ? e.message : 'could not be read'}`);
      }
    }
    this.render();
  }

  /** Bytes the images add to the envelope (base64 text). */
  size() {
    return this.items.reduce((n, i) => n + i.data.length, 0);
  }

  /** Hand the images over for sending and clear the list (the thumbnails' URLs stay valid for the log). */
  take() {
    const items = this.items;
    this.items = [];
    this.render();
    return items;
  }

  remove(index) {
    const [gone] = this.items.splice(index, 1);
    if (gone) URL.revokeObjectURL(gone.url);
    this.render();
  }

  render() {
    this.list.replaceChildren(
      ...this.items.map((item, index) => {
        const li = document.createElement('li');
        const img = document.createElement('img');
        img.src = item.url;
        img.alt = `attached image ${item.name}`;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = '×';
        remove.setAttribute('aria-label', `Remove ${item.name}`);
        remove.addEventListener('click', () => this.remove(index));
        li.append(img, remove);
        return li;
      }),
    );
  }
}
