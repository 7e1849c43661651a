import { Box, Text } from 'ink';
import { paneLabel, type PaneStatus } from '../workspace/pane.js';
import { isAgentError, type Activity } from '../workspace/activity.js';
import type { TokenName } from '../config/theme.js';
import { usePane, useStyle } from './context.js';
import { formatCost } from '../util/format.js';

function statusToken(s: PaneStatus, activity: Activity | undefined): TokenName {
  if (s.kind === 'running' && isAgentError(activity)) return 'status.failed';
  if (s.kind === 'running' && activity) return `status.${activity.state}`;
  switch (s.kind) {
    case 'running':
      return 'status.running';
    case 'exited':
      return s.code === 0 && !s.signal ? 'status.exited' : 'status.failed';
    case 'failed':
      return 'status.failed';
    case 'missing':
      return 'status.missing';
    default:
      return 'status.idle';
  }
}

/** A pane's border and title. Its interior is left blank: the compositor paints it from the emulator. */
export function PaneFrame({ id }: { id: number }) {
  const pane = usePane(id);
  const waiting = pane?.activity?.state === 'waiting';
  const border = useStyle(pane?.focused ? 'border.focused' : waiting || pane?.conflict || pane?.branchConflict || pane?.paused ? 'border.attention' : 'border.normal');
  const title = useStyle(pane?.focused ? 'title.focused' : 'title.normal');
  const number = useStyle('title.number');
  const status = useStyle(statusToken(pane?.status ?? { kind: 'starting' }, pane?.activity));
  const muted = useStyle('text.muted');
  const warnStyle = useStyle('text.warning');
  if (!pane) return null;
  const { rect } = pane;
  const label = paneLabel(pane.status, pane.activity);
  // Marks: paused by a breaker or a budget, changes by others waiting for this agent's next turn, a conflict on a shared file, and a
  // failed interrupt or instruction.
  // A file changed on this branch and another: the badge names the file and the other branch.
  const marks = `${pane.paused ? ' ⏸ paused' : ''}${pane.pending ? ` ✉${pane.pending}` : ''}${pane.conflict ? ' ⚠ conflict' : ''}${pane.branchConflict ? ` ⚠ ${pane.branchConflict}` : ''}${pane.notice ? ` ⚠ ${pane.notice}` : ''}`;
  // Title text is truncated to the border's length so it never spills into the next pane, nor into
  // the scroll position the compositor draws at the border's right end.
  const room = Math.max(0, rect.width - 4 - pane.positionWidth);
  const cost = pane.cost !== undefined ? ` · ${formatCost(pane.cost)}` : '';
  const full = `${pane.number} ${pane.name} · ${label}${cost}${marks}`;
  const cut = full.length + 2 > room;
  return (
    <>
      <Box
        position="absolute"
        marginLeft={rect.x}
        marginTop={rect.y}
        width={rect.width}
        height={rect.height}
        borderStyle={pane.focused ? 'bold' : 'round'}
        borderColor={border.color}
        borderDimColor={border.dimColor}
      />
      {room > 2 && (
        <Box position="absolute" marginLeft={rect.x + 2} marginTop={rect.y} width={Math.min(room, full.length + 2)} height={1}>
          {cut ? (
            <Text {...title} wrap="truncate-end">{` ${full}`}</Text>
          ) : (
            <Text>
              <Text {...title}> </Text>
              <Text {...number}>{pane.number}</Text>
              <Text {...title}> {pane.name}</Text>
              <Text {...muted}> · </Text>
              <Text {...status}>{label}</Text>
              {cost && <Text {...muted}>{cost}</Text>}
              {marks && <Text {...warnStyle}>{marks}</Text>}
              <Text {...title}> </Text>
            </Text>
          )}
        </Box>
      )}
    </>
  );
}
