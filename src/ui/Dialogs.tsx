import { Box, Text } from 'ink';
import type { Dialog } from '../workspace/workspace.js';
import { useStyle, useUi, useView, type HelpSection } from './context.js';
import { dialogRect } from './geometry.js';

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

function DialogBox({ dialog, width, height }: { dialog: Dialog; width: number; height: number }) {
  if (dialog.kind === 'help') return <Help width={width} height={height} />;
  if (dialog.kind === 'confirm') return <Confirm text={dialog.text} width={width} height={height} />;
  if (dialog.kind === 'prompt') return <PromptBar dialog={dialog} width={width} height={height} />;
  return <Picker dialog={dialog} width={width} height={height} />;
}

function PromptBar({ dialog, width, height }: { dialog: Extract<Dialog, { kind: 'prompt' }>; width: number; height: number }) {
  const body = useStyle('dialog.text');
  const muted = useStyle('text.muted');
  const key = useStyle('dialog.key');
  const focused = useView((v) => v.panes.find((p) => p.focused));
  const title =
    dialog.target === 'note' ? 'Note for every agent' : dialog.target === 'all' ? 'Broadcast to every agent' : `Redirect ${focused ? `${focused.number}:${focused.name}` : ''}`;
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
        {dialog.target === 'note' ? 'enter posts · alt+enter new line · esc cancels' : 'enter interrupts and sends · alt+enter new line · ↑ earlier · esc cancels'}
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

function Picker({ dialog, width, height }: { dialog: Extract<Dialog, { kind: 'picker' }>; width: number; height: number }) {
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
      <Text {...muted}>↑↓ choose · enter open · esc cancel</Text>
    </Frame>
  );
}

function Help({ width, height }: { width: number; height: number }) {
  const { help, prefix } = useUi();
  const body = useStyle('dialog.text');
  const key = useStyle('dialog.key');
  const title = useStyle('dialog.title');
  const muted = useStyle('text.muted');
  const inner = Math.max(1, width - 4);
  const rows = Math.max(1, height - 3);
  // Sections are dealt into columns top to bottom; the height decides how many columns are needed,
  // and each gets an equal share of the width (entries truncate rather than spill out of the dialog).
  const columns: HelpSection[][] = [[]];
  let used = 0;
  for (const section of help) {
    const need = section.entries.length + 1;
    if (used > 0 && used + need > rows) {
      columns.push([]);
      used = 0;
    }
    columns[columns.length - 1].push(section);
    used += need + 1;
  }
  const colWidth = Math.max(1, Math.floor((inner - 2 * (columns.length - 1)) / columns.length));
  return (
    <Frame title="Keys" width={width} height={height}>
      <Text {...muted} wrap="truncate-end">{`Press ${prefix}, then a key. Keys without a binding go to the focused pane. esc closes.`}</Text>
      <Box flexDirection="row" height={rows} width={inner} columnGap={2} overflow="hidden">
        {columns.map((sections, i) => {
          // Each column's key width fits its own keys, so a long binding elsewhere costs no room here.
          const keyWidth = Math.min(24, Math.max(...sections.flatMap((s) => s.entries.map((e) => e.keys.join(' ').length))) + 2);
          return (
          <Box key={i} flexDirection="column" width={colWidth} overflow="hidden">
            {sections.map((section) => (
              <Box key={section.category} flexDirection="column" marginBottom={1}>
                <Text {...title} wrap="truncate-end">{section.category}</Text>
                {section.entries.map((e) => (
                  <Text key={e.command} wrap="truncate-end">
                    <Text {...key}>{e.keys.join(' ').padEnd(keyWidth)}</Text>
                    {/* Reserved commands say so first, where truncation cannot hide it. */}
                    {e.reserved ? <Text {...muted}>(later) {e.description}</Text> : <Text {...body}>{e.description}</Text>}
                  </Text>
                ))}
              </Box>
            ))}
          </Box>
          );
        })}
      </Box>
    </Frame>
  );
}
