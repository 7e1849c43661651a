import { Box, Text } from 'ink';
import { useStyle, useUi, useView } from './context.js';

/** The shared context beside the panes: the change feed (newest first), notes, and what each agent has yet to see. */
export function ContextPanel() {
  const ctx = useView((v) => v.context);
  const border = useStyle('border.normal');
  const title = useStyle('dialog.title');
  const muted = useStyle('text.muted');
  const body = useStyle('dialog.text');
  const who = useStyle('title.number');
  const warn = useStyle('text.warning');
  const { prefix, key } = useUi();
  if (!ctx) return null;
  const { rect } = ctx;
  const inner = Math.max(1, rect.width - 4);
  const rows = Math.max(1, rect.height - 2);
  const pending = Object.entries(ctx.pending).filter(([, n]) => n > 0);
  const conflicts = [...Object.entries(ctx.conflicts).map(([pane, path]) => `⚠ conflict: ${pane} on ${path}`), ...Object.entries(ctx.branches ?? {}).map(([pane, what]) => `⚠ ${pane}: ${what}`)];
  const noteRows = Math.min(ctx.notes.length, Math.max(2, Math.floor(rows / 3)));
  const fixed = 2 + (pending.length ? 1 : 0) + conflicts.length + (noteRows ? noteRows + 2 : 2);
  const feedRows = Math.max(0, rows - fixed);
  const lines = ctx.lines.slice(ctx.scroll, ctx.scroll + feedRows);
  const older = Math.max(0, ctx.lines.length - ctx.scroll - lines.length);
  return (
    <>
      <Box position="absolute" marginLeft={rect.x} marginTop={rect.y} width={rect.width} height={rect.height} borderStyle="round" borderColor={border.color} />
      <Box position="absolute" marginLeft={rect.x + 2} marginTop={rect.y}>
        <Text {...title}> Shared context </Text>
      </Box>
      <Box position="absolute" marginLeft={rect.x + 2} marginTop={rect.y + 1} width={inner} height={rows} flexDirection="column" overflowY="hidden">
        {pending.length > 0 && <Text {...muted} wrap="truncate-end">{`waiting for next turn: ${pending.map(([n, c]) => `${n} ${c}`).join(' · ')}`}</Text>}
        {conflicts.map((c) => (
          <Text key={c} {...warn} wrap="truncate-end">{c}</Text>
        ))}
        <Text wrap="truncate-end">
          <Text {...title}>Changes</Text>
          <Text {...muted}>{`${ctx.scroll ? ` ↑ ${ctx.scroll} newer` : ''}${older ? ` ↓ ${older} older (${prefix} ${key('context.scrollUp')} ${key('context.scrollDown')})` : ''}`}</Text>
        </Text>
        {lines.length === 0 && <Text {...muted}>nothing changed yet</Text>}
        {lines.map((l) => (
          <Text key={l.id} wrap="truncate-end">
            <Text {...muted}>{`${l.time} `}</Text>
            <Text {...who}>{l.who}</Text>
            {l.branch && <Text {...muted}>{` on ${l.branch}:`}</Text>}
            <Text {...body}>{` ${l.kind} ${l.path}`}</Text>
            <Text {...warn}>{l.claim ? ` ⚠ ${l.claim}` : ''}</Text>
            <Text {...muted}>{l.size ? ` ${l.size}` : ''}</Text>
          </Text>
        ))}
        <Text> </Text>
        <Text {...title}>Notes</Text>
        {ctx.notes.length === 0 && <Text {...muted} wrap="truncate-end">{`none yet; ${prefix} ${key('context.note')} posts one`}</Text>}
        {ctx.notes.slice(-noteRows).map((n) => (
          <Text key={n.id} wrap="truncate-end">
            <Text {...muted}>{`${n.time} `}</Text>
            <Text {...who}>{n.author}</Text>
            <Text {...body}>{`: ${n.text}`}</Text>
          </Text>
        ))}
      </Box>
    </>
  );
}
