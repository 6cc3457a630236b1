/** Text from models, tools and servers made safe for a terminal (kept apart from the TUI's heavier text helpers). */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Remove every control character but newline and tab (tabs become spaces): model text can carry escapes. */
export function sanitize(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').replace(CONTROL, '');
}
