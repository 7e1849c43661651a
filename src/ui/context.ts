import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Theme, TokenName, Style } from '../config/theme.js';
import type { PaneView, WorkspaceView } from '../workspace/workspace.js';
import type { HelpSection } from '../workspace/help.js';

/** What the UI reads from the workspace: a snapshot and a change signal, nothing live. */
export interface ViewStore {
  subscribe(onChange: () => void): () => void;
  getView(): WorkspaceView;
}


export interface UiEnv {
  store: ViewStore;
  theme: Theme;
  help: HelpSection[];
  /** Printed form of the prefix key, e.g. "ctrl+a". */
  prefix: string;
  /** First binding of a prefix command, for hints. */
  key: (command: string) => string;
}

export const UiContext = createContext<UiEnv | undefined>(undefined);

export function useUi(): UiEnv {
  const env = useContext(UiContext);
  if (!env) throw new Error('UiContext missing');
  return env;
}

export function useStyle(token: TokenName): Style {
  return useUi().theme.tokens[token];
}

/** A slice of the view; re-renders only when the selected value changes identity. */
export function useView<T>(select: (v: WorkspaceView) => T): T {
  const { store } = useUi();
  return useSyncExternalStore(store.subscribe, () => select(store.getView()));
}

export function usePane(id: number): PaneView | undefined {
  return useView((v) => v.panes.find((p) => p.id === id));
}
