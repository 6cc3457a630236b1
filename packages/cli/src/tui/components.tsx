/** The Ink components of `parley chat`. They draw a `Frame`; the controller decides what is in it. */
import { Box, Text, useStdin, useStdout } from 'ink';
import { memo, useEffect, useSyncExternalStore } from 'react';
import type { ChatController, Frame, PopupItem } from './controller.js';
import { displayWidth, truncate } from './text.js';
import type { Theme } from './theme.js';

/** One line of the transcript. Memoised: a line that did not change is not rebuilt. */
const Line = memo(function Line({ text }: { text: string }) {
  return <Text wrap="truncate-end">{text === '' ? ' ' : text}</Text>;
});

/** The messages: exactly the window's lines, already wrapped to the width. */
export function MessagesView({ lines, height }: { lines: readonly string[]; height: number }) {
  return (
    <Box flexDirection="column" height={height} flexShrink={0} overflow="hidden">
      {lines.map((l, i) => (
        <Line key={i} text={l} />
      ))}
    </Box>
  );
}

/** The completion menu of slash commands and their arguments. */
export function Popup({ items, theme, width }: { items: readonly PopupItem[]; theme: Theme; width: number }) {
  const labelWidth = Math.min(
    Math.max(...items.map((i) => displayWidth(i.label))),
    Math.max(8, Math.floor(width / 2)),
  );
  return (
    <Box flexDirection="column" flexShrink={0}>
      {items.map((it, i) => {
        const label = truncate(it.label, labelWidth);
        const pad = ' '.repeat(Math.max(0, labelWidth - displayWidth(label)));
        const hint = it.hint ? truncate(it.hint, Math.max(0, width - labelWidth - 6)) : '';
        return (
          <Text key={i} inverse={it.selected} wrap="truncate-end">
            {it.selected ? '› ' : '  '}
            <Text bold={it.selected} color={it.selected ? undefined : theme.ink.accent}>
              {label}
            </Text>
            {pad}
            {hint ? `  ${hint}` : ''}
          </Text>
        );
      })}
    </Box>
  );
}

/** The rule above the input, with a hint in it. */
export function Rule({ text, theme }: { text: string; theme: Theme }) {
  return (
    <Text color={theme.ink.accent} wrap="truncate-end">
      {text}
    </Text>
  );
}

/** The input: its lines, the cursor drawn in inverse video. */
export function InputView({ lines }: { lines: readonly string[] }) {
  return (
    <Box flexDirection="column" flexShrink={0}>
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l === '' ? ' ' : l}
        </Text>
      ))}
    </Box>
  );
}

/** The status bar, one line in inverse video across the screen. */
export function StatusBar({ text, width, theme }: { text: string; width: number; theme: Theme }) {
  const padded = text + ' '.repeat(Math.max(0, width - displayWidth(text)));
  return (
    <Text
      inverse={theme.ink.statusInverse}
      color={theme.ink.statusColor}
      bold={!theme.color}
      wrap="truncate-end"
    >
      {padded}
    </Text>
  );
}

/** A whole frame, top to bottom. */
export function Screen({ frame }: { frame: Frame }) {
  return (
    <Box flexDirection="column" width={frame.width} height={frame.height}>
      <MessagesView lines={frame.messages} height={frame.messageHeight} />
      {frame.popup ? <Popup items={frame.popup} theme={frame.theme} width={frame.width} /> : null}
      <Rule text={frame.rule} theme={frame.theme} />
      <InputView lines={frame.input} />
      <StatusBar text={frame.status} width={frame.width} theme={frame.theme} />
    </Box>
  );
}

/** Raw terminal input, every sequence, to the controller (Ink's `useInput` names too few keys). */
function useTerminalInput(handler: (raw: string) => void): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isRawModeSupported, setRawMode]);
  useEffect(() => {
    events.on('input', handler);
    return () => {
      events.off('input', handler);
    };
  }, [events, handler]);
}

/** The chat: a frame of the controller's, redrawn when it changes or the terminal resizes. */
export function App({
  controller,
  size,
}: {
  controller: ChatController;
  /** Fixed size (tests); by default the terminal's, following resizes. */
  size?: { columns: number; rows: number };
}) {
  useSyncExternalStore(controller.subscribe, controller.getVersion);
  const { stdout } = useStdout();
  useTerminalInput(controller.handleInput);
  useEffect(() => {
    if (size) {
      controller.setSize(size.columns, size.rows);
      return;
    }
    const onResize = (): void => controller.setSize(stdout.columns || 80, stdout.rows || 24);
    onResize();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [controller, stdout, size]);
  return <Screen frame={controller.frame()} />;
}
