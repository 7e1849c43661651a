// Names the command line checks before any config is read (a bad flag is refused without loading
// the config's schema); schema.ts re-exports them.
export const PRESET_NAMES = ['agent', 'shell', 'claude', 'codex', 'gemini', 'aider', 'opencode'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const LAYOUTS = ['tiled', 'columns', 'rows'] as const;
export type Layout = (typeof LAYOUTS)[number];
