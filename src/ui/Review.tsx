import { Box, Text } from 'ink';
import type { TokenName } from '../config/theme.js';
import type { DialogView } from '../workspace/workspace.js';
import type { ReviewTone } from '../workspace/review.js';
import { useStyle } from './context.js';

const TONE: Record<ReviewTone, TokenName> = {
  head: 'dialog.title',
  file: 'diff.file',
  add: 'diff.added',
  del: 'diff.removed',
  hunk: 'diff.hunk',
  meta: 'diff.meta',
  text: 'dialog.text',
  muted: 'text.muted',
  warn: 'text.warning',
};

function Line({ text, tone }: { text: string; tone: ReviewTone }) {
  const style = useStyle(TONE[tone]);
  return (
    <Text {...style} wrap="truncate-end">
      {text || ' '}
    </Text>
  );
}

/**
 * A worktree's change (prefix+v) or a refused merge: lines coloured by tone (theme tokens only),
 * scrolled by the workspace. The frame is the dialogs' own, passed in.
 */
export function ReviewLines({ dialog, width, height }: { dialog: Extract<DialogView, { kind: 'review' }>; width: number; height: number }) {
  const muted = useStyle('text.muted');
  const rows = Math.max(1, height - 4);
  const shown = dialog.lines.slice(dialog.scroll, dialog.scroll + rows);
  const below = Math.max(0, dialog.lines.length - dialog.scroll - rows);
  const where = dialog.lines.length > rows ? ` · ${dialog.scroll ? `↑${dialog.scroll} ` : ''}${below ? `↓${below} ` : ''}↑↓ PgUp PgDn g G scroll` : '';
  return (
    <>
      {shown.map((l, i) => (
        <Line key={dialog.scroll + i} text={l.text} tone={l.tone} />
      ))}
      <Box position="absolute" marginTop={Math.max(0, height - 3)} width={Math.max(1, width - 4)} height={1}>
        <Text {...muted} wrap="truncate-end">{`esc closes${where}`}</Text>
      </Box>
    </>
  );
}
