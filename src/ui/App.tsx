import { Box, Text } from 'ink';
import { DialogLayer } from './Dialogs.js';
import { ContextPanel } from './ContextPanel.js';
import { TaskBoard } from './TaskBoard.js';
import { UiContext, useStyle, useUi, useView, type UiEnv } from './context.js';

function TooSmall() {
  const need = useView((v) => v.tooSmall);
  const cols = useView((v) => v.cols);
  const rows = useView((v) => v.rows);
  const style = useStyle('text.warning');
  const muted = useStyle('text.muted');
  const { prefix, key } = useUi();
  if (!need) return null;
  return (
    <Box position="absolute" width={cols} height={Math.max(1, rows - 1)} flexDirection="column" alignItems="center" justifyContent="center">
      {/* Short lines that wrap, so even a tiny terminal shows the whole message. */}
      <Text {...style} wrap="wrap">{`Too small (${cols}×${rows})`}</Text>
      <Text {...muted} wrap="wrap">{`needs ${need.cols}×${need.rows}`}</Text>
      <Text {...muted} wrap="wrap">{`or ${prefix} ${key('pane.zoom')}: zoom`}</Text>
    </Box>
  );
}

/**
 * What Ink draws: only what lies over the panes. Their frames and the status bar are painted
 * without it (src/frontend/chrome-paint.ts), and src/frontend/chrome.ts takes from Ink's frame only
 * the rectangles of these (overlayRects).
 */
export function App({ env }: { env: UiEnv }) {
  return (
    <UiContext.Provider value={env}>
      <Root />
    </UiContext.Provider>
  );
}

function Root() {
  const cols = useView((v) => v.cols);
  const rows = useView((v) => v.rows);
  return (
    <Box width={cols} height={rows} flexDirection="column">
      <TooSmall />
      <ContextPanel />
      <TaskBoard />
      <DialogLayer />
    </Box>
  );
}
