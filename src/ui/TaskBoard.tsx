import { memo } from 'react';
import { Box, Text } from 'ink';
import type { TokenName } from '../config/theme.js';
import type { TaskView } from '../workspace/workspace.js';
import { sameData } from '../util/same-data.js';
import { useStyle, useUi, useView } from './context.js';

const STATE_TOKEN: Record<string, TokenName> = {
  todo: 'text.muted',
  doing: 'status.busy',
  checking: 'status.busy',
  done: 'status.exited',
  failed: 'status.failed',
  blocked: 'status.failed',
  cancelled: 'text.muted',
};

type RowProps = { t: TaskView; selected: boolean; width: number };

/**
 * One task's row. Every publish while the board is open brings new task views, so a row compares
 * its task by value: a move of the selection re-renders the two rows it changes, not all of them.
 */
const TaskRow = memo(TaskRowOf, (a: RowProps, b: RowProps) => a.selected === b.selected && a.width === b.width && sameData(a.t, b.t));

function TaskRowOf({ t, selected, width }: RowProps) {
  const state = useStyle(STATE_TOKEN[t.state] ?? 'text.muted');
  const sel = useStyle('dialog.selected');
  const body = useStyle('dialog.text');
  const muted = useStyle('text.muted');
  const id = useStyle('title.number');
  const meta = rowMeta(t, width);
  return (
    <Text wrap="truncate-end">
      <Text {...(selected ? sel : id)}>{`${selected ? '›' : ' '}${t.id.padEnd(4)}`}</Text>
      <Text {...state}>{` ${t.state.padEnd(9)}`}</Text>
      <Text {...body}>{` ${t.title}`.slice(0, Math.max(MIN_TITLE, width - 16 - meta.length))}</Text>
      <Text {...muted}>{meta ? ` ${meta}` : ''}</Text>
    </Text>
  );
}

/** Below this many columns of title, the row's figures give way, least telling first. */
const MIN_TITLE = 12;

/**
 * A row's figures in reading order (owner, dependencies, attempts, cost, check), dropping the least
 * telling first when the board is narrow: cost, then dependencies, then attempts; the owner and the
 * check's verdict stay longest.
 */
export function rowMeta(t: TaskView, width: number): string {
  const parts = [
    { text: t.owner ? `→${t.owner}` : '', keep: 4 },
    { text: t.deps.length ? `after ${t.deps.join(',')}` : '', keep: 1 },
    { text: t.attempts ? `#${t.attempts}` : '', keep: 2 },
    { text: t.cost, keep: 0 },
    { text: t.check ?? '', keep: 3 },
  ].filter((p) => p.text);
  const room = width - 16 - MIN_TITLE;
  const len = () => parts.reduce((n, p) => n + p.text.length + 1, 0);
  while (parts.length && len() > room) parts.splice(parts.indexOf(parts.reduce((a, b) => (b.keep < a.keep ? b : a))), 1);
  return parts.map((p) => p.text).join(' ');
}

/** The task board beside the panes: tasks with state, owner, dependencies, attempts, cost and check; questions and what is paused. */
export function TaskBoard() {
  const board = useView((v) => v.board);
  const border = useStyle(board?.focused ? 'border.focused' : 'border.normal');
  const title = useStyle('dialog.title');
  const muted = useStyle('text.muted');
  const warn = useStyle('text.warning');
  const body = useStyle('dialog.text');
  const { prefix, key } = useUi();
  if (!board) return null;
  const { rect } = board;
  const inner = Math.max(1, rect.width - 4);
  const rows = Math.max(1, rect.height - 2);
  const extra = board.questions.length + board.paused.length + board.warnings.length;
  const taskRows = Math.max(1, rows - extra - 3);
  const from = Math.max(0, Math.min(board.selected - Math.floor(taskRows / 2), board.tasks.length - taskRows));
  const shown = board.tasks.slice(from, from + taskRows);
  const sel = board.tasks[board.selected];
  return (
    <>
      <Box position="absolute" marginLeft={rect.x} marginTop={rect.y} width={rect.width} height={rect.height} borderStyle={board.focused ? 'bold' : 'round'} borderColor={border.color} />
      <Box position="absolute" marginLeft={rect.x + 2} marginTop={rect.y}>
        <Text {...title}>{` Tasks (${board.tasks.length}) `}</Text>
      </Box>
      <Box position="absolute" marginLeft={rect.x + 2} marginTop={rect.y + 1} width={inner} height={rows} flexDirection="column" overflowY="hidden">
        {board.questions.map((q) => (
          <Text key={`q${q.id}`} {...warn} wrap="truncate-end">{`⚑ ${q.from} asks: ${q.question}${q.choices?.length ? ` (${q.choices.join(' / ')})` : ''} — ${key('board.answer')} answers`}</Text>
        ))}
        {board.paused.map((p) => (
          <Text key={`p${p.name}`} {...warn} wrap="truncate-end">{`⏸ ${p.why} — ${key('board.budget')} lets it go on`}</Text>
        ))}
        {board.warnings.map((w, i) => (
          <Text key={`w${i}`} {...warn} wrap="truncate-end">{`⚠ ${w}`}</Text>
        ))}
        {board.tasks.length === 0 && <Text {...muted} wrap="wrap">{`No tasks yet. ${board.focused ? key('board.add') : `${prefix} ${key('tasks.toggle')}, then ${key('board.add')},`} adds one; agents add theirs with create_task.`}</Text>}
        {shown.map((t, i) => (
          <TaskRow key={t.id} t={t} selected={board.focused && from + i === board.selected} width={inner} />
        ))}
        {sel?.note && board.focused && <Text {...muted} wrap="truncate-end">{`${sel.id}: ${sel.note}`}</Text>}
        <Text {...body}> </Text>
        <Text {...muted} wrap="truncate-end">
          {board.focused ? `enter details · ${key('board.add')} add · ${key('board.done')} done · ${key('board.approve')} allow check · esc leave` : `${prefix} ${key('tasks.toggle')} closes · the board has no keyboard now`}
        </Text>
      </Box>
    </>
  );
}
