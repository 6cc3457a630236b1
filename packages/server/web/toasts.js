/** Short-lived messages in a corner: monitor notifications, models loaded and unloaded. */

export class Toasts {
  /** @param {HTMLElement} list an `aria-live` container */
  constructor(list) {
    this.list = list;
  }

  /**
   * @param {string} text shown as text, never as HTML
   * @param {'notification' | 'info' | 'error'} kind
   * @param {number} ms how long it stays
   */
  show(text, kind = 'info', ms = 6000) {
    const item = document.createElement('div');
    item.className = `toast ${kind}`;
    item.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Dismiss');
    close.addEventListener('click', () => item.remove());
    item.append(close);
    this.list.append(item);
    while (this.list.children.length > 5) this.list.firstElementChild?.remove();
    setTimeout(() => item.remove(), ms);
    return item;
  }
}
