import { Box, Text } from 'ink';
import type { DialogView } from '../workspace/workspace.js';
import { dialogRect, helpViewport } from '../workspace/geometry.js';
import { helpColumns, helpLines } from '../workspace/help.js';
import { useStyle, useUi, useView } from './context.js';
import { ReviewLines } from './Review.js';

export function DialogLayer() {
  const dialog = useView((v) => v.dialog);
  const cols = useView((v) => v.cols);
  const rows = useView((v) => v.rows);
  if (!dialog) return null;
  const rect = dialogRect(dialog, cols, rows);
  return (
    <Box position="absolute" marginLeft={rect.x} marginTop={rect.y} width={rect.width} height={rect.height}>
      <DialogBox dialog={dialog} width={rect.width} height={rect.height} />
    </Box>
  );
}

/** Spaces over the whole rectangle: Ink draws only glyphs, and whatever was beneath would show through. */
function Backdrop({ width, height }: { width: number; height: number }) {
  const row = ' '.repeat(width);
  return (
    <Box position="absolute" width={width} height={height} flexDirection="column">
      {Array.from({ length: height }, (_, i) => (
        <Text key={i}>{row}</Text>
      ))}
    </Box>
  );
}

function Frame({ title, width, height, children }: { title: string; width: number; height: number; children: React.ReactNode }) {
  const border = useStyle('dialog.border');
  const titleStyle = useStyle('dialog.title');
  return (
    <Box width={width} height={height} flexDirection="column">
      <Backdrop width={width} height={height} />
      <Box position="absolute" width={width} height={height} borderStyle="round" borderColor={border.color} />
      <Box position="absolute" marginLeft={2} height={1}>
        <Text {...titleStyle}> {title} </Text>
      </Box>
      <Box position="absolute" marginLeft={2} marginTop={1} width={Math.max(0, width - 4)} height={Math.max(0, height - 2)} flexDirection="column">
        {children}
      </Box>
    </Box>
  );
}

function DialogBox({ dialog, width, height }: { dialog: DialogView; width: number; height: number }) {
  if (dialog.kind === 'help') return <Help scroll={dialog.scroll} width={width} height={height} />;
  if (dialog.kind === 'task') return <TaskDetails dialog={dialog} width={width} height={height} />;
  if (dialog.kind === 'review') {
    return (
      <Frame title={dialog.title} width={width} height={height}>
        <ReviewLines dialog={dialog} width={width} height={height} />
      </Frame>
    );
  }
  if (dialog.kind === 'confirm') return <Confirm text={dialog.text} width={width} height={height} />;
  if (dialog.kind === 'prompt') return <PromptBar dialog={dialog} width={width} height={height} />;
  return <Picker dialog={dialog} width={width} height={height} />;
}

function PromptBar({ dialog, width, height }: { dialog: Extract<DialogView, { kind: 'prompt' }>; width: number; height: number }) {
  const body = useStyle('dialog.text');
  const muted = useStyle('text.muted');
  const key = useStyle('dialog.key');
  const focused = useView((v) => v.panes.find((p) => p.focused));
  const title = {
    note: 'Note for every agent',
    all: 'Broadcast to every agent',
    focused: `Redirect ${focused ? `${focused.number}:${focused.name}` : ''}`,
    'task-add': 'New task',
    'task-edit': 'Edit task',
    answer: 'Your answer',
    merge: `Merge ${focused ? `${focused.number}:${focused.name}` : ''}: commit message`,
  }[dialog.target];
  let at = 0;
  return (
    <Frame title={title} width={width} height={height}>
      {dialog.text.split('\n').map((line, i) => {
        const start = at;
        at += line.length + 1;
        const col = dialog.cursor - start;
        const here = col >= 0 && col <= line.length;
        return (
          <Text key={i} {...body} wrap="truncate-start">
            <Text {...key}>{i === 0 ? '› ' : '  '}</Text>
            {here ? line.slice(0, col) : line}
            {here && <Text inverse>{line[col] ?? ' '}</Text>}
            {here && line.slice(col + 1)}
          </Text>
        );
      })}
      <Text {...muted} wrap="truncate-end">
        {dialog.hint
          ? `${dialog.hint} · esc cancels`
          : dialog.target === 'note'
            ? 'enter posts · alt+enter new line · esc cancels'
            : 'enter interrupts and sends · alt+enter new line · ↑ earlier · esc cancels'}
      </Text>
    </Frame>
  );
}

function Confirm({ text, width, height }: { text: string; width: number; height: number }) {
  const body = useStyle('dialog.text');
  const key = useStyle('dialog.key');
  return (
    <Frame title="Confirm" width={width} height={height}>
      <Text {...body}>{text}</Text>
      <Text> </Text>
      <Text>
        <Text {...key}>y</Text>
        <Text {...body}> yes · </Text>
        <Text {...key}>n</Text>
        <Text {...body}> no</Text>
      </Text>
    </Frame>
  );
}

function Picker({ dialog, width, height }: { dialog: Extract<DialogView, { kind: 'picker' }>; width: number; height: number }) {
  const body = useStyle('dialog.text');
  const selected = useStyle('dialog.selected');
  const muted = useStyle('text.muted');
  const key = useStyle('dialog.key');
  return (
    <Frame title="New pane" width={width} height={height}>
      {dialog.options.map((o, i) => (
        <Text key={o.preset} wrap="truncate-end">
          <Text {...key}>{i + 1}</Text>
          <Text {...(i === dialog.selected ? selected : body)}>{` ${o.label.padEnd(10)}`}</Text>
          <Text {...muted}> {o.note}</Text>
        </Text>
      ))}
      <Text> </Text>
      {/* Short enough for one line in an 80-column terminal: the keys, and whether w is on. */}
      <Text {...muted}>{`↑↓ choose · enter open · w worktree: ${dialog.worktree ? 'yes' : 'no'} · esc cancel`}</Text>
    </Frame>
  );
}

function Help({ scroll, width, height }: { scroll: number; width: number; height: number }) {
  const { help, prefix } = useUi();
  const body = useStyle('dialog.text');
  const key = useStyle('dialog.key');
  const title = useStyle('dialog.title');
  const muted = useStyle('text.muted');
  const cols0 = useView((v) => v.cols);
  const rows0 = useView((v) => v.rows);
  const { width: inner, rows } = helpViewport(cols0, rows0);
  // One column, scrolled: every description whole (wrapped), with the config name that rebinds it.
  const lines = helpLines(help, inner);
  const cols = helpColumns(help, inner);
  const shown = lines.slice(scroll, scroll + rows);
  const below = Math.max(0, lines.length - scroll - rows);
  const where = lines.length > rows ? ` · ${scroll > 0 ? `↑${scroll} ` : ''}${below > 0 ? `↓${below} ` : ''}↑↓ PgUp PgDn scroll` : '';
  return (
    <Frame title="Keys" width={width} height={height}>
      <Text {...muted} wrap="truncate-end">{`Press ${prefix}, then one of these keys. What you type without ${prefix} goes to the focused pane.`}</Text>
      {shown.map((l, i) =>
        l.kind === 'title' ? (
          <Text key={i} {...title} wrap="truncate-end">{l.text}</Text>
        ) : l.kind === 'entry' ? (
          <Text key={i} wrap="truncate-end">
            <Text {...key}>{l.keys.padEnd(cols.keys)}</Text>
            <Text {...muted}>{l.command.padEnd(cols.command)}</Text>
            <Text {...body}>{l.text}</Text>
          </Text>
        ) : l.kind === 'more' ? (
          <Text key={i} {...body} wrap="truncate-end">{' '.repeat(cols.keys + cols.command) + l.text}</Text>
        ) : (
          <Text key={i}> </Text>
        ),
      )}
      <Box position="absolute" marginTop={Math.max(0, height - 3)} width={inner} height={1}>
        <Text {...muted} wrap="truncate-end">{`esc closes${where}`}</Text>
      </Box>
    </Frame>
  );
}

function TaskDetails({ dialog, width, height }: { dialog: Extract<DialogView, { kind: 'task' }>; width: number; height: number }) {
  const body = useStyle('dialog.text');
  const muted = useStyle('text.muted');
  const rows = Math.max(1, height - 4);
  const shown = dialog.lines.slice(dialog.scroll, dialog.scroll + rows);
  const below = Math.max(0, dialog.lines.length - dialog.scroll - rows);
  return (
    <Frame title={`Task ${dialog.id}`} width={width} height={height}>
      {shown.map((l, i) => (
        <Text key={i} {...body} wrap="truncate-end">{l || ' '}</Text>
      ))}
      <Box position="absolute" marginTop={Math.max(0, height - 3)} width={Math.max(1, width - 4)} height={1}>
        <Text {...muted} wrap="truncate-end">{`esc closes${dialog.lines.length > rows ? ` · ${dialog.scroll ? `↑${dialog.scroll} ` : ''}${below ? `↓${below} ` : ''}↑↓ PgUp PgDn scroll` : ''}`}</Text>
      </Box>
    </Frame>
  );
}
