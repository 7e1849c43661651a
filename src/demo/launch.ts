/**
 * `agents --demo` as the command line starts it: a local Messages API server plays a scripted task
 * on a throwaway copy of a sample project, so a newcomer sees the product with no key and no
 * network. `--demo --continue` goes back to the copy the last demo used, where that demo's session
 * is stored (the copy's path is remembered in the data folder, see last-demo.ts).
 */
import type { Config } from '../config/schema.js';
import { lastDemo, rememberDemo } from './last-demo.js';
import { copySampleProject } from './project.js';
import { createDemoResponder, DEMO_AGENTS, DEMO_TASKS, type DemoAgent } from './scenario.js';
import { startMessagesServer } from './server.js';

export interface RunningDemo {
  url: string;
  project: string;
  tasks: Record<string, string>;
  close(): Promise<void>;
}

/** The panes a demo opens when no names are given. */
export const DEMO_PANES = [...DEMO_AGENTS, 'shell'];

/** The folder of the last demo, for --continue; a message when there is none to go back to. */
export function lastDemoProject(): { project: string } | { message: string } {
  const last = lastDemo();
  if (last.kind === 'found') return { project: last.project };
  if (last.kind === 'gone') return { message: `the last demo's folder ${last.project} is gone (deleted, or the temp folder was cleaned). 'agents --demo' starts a new one.` };
  return { message: "no demo to come back to: none has been run with this data folder. 'agents --demo' starts one." };
}

/** Each demo agent's permissions and role (the role's standing instructions serve a real model later). */
const DEMO_AGENT_SETUP: Record<DemoAgent, { permissions: 'auto' | 'auto-edit'; role: string }> = {
  // Acts unasked, so the checks of the tasks it creates run without the person's approval.
  lead: { permissions: 'auto', role: 'lead' },
  fixer: { permissions: 'auto', role: 'implementer' },
  // Asks before running a command, so the tour shows an agent waiting for the person (its border,
  // the bell, the prefix+a jump) once, with a hint in its text saying what to press.
  tests: { permissions: 'auto-edit', role: 'tester' },
};

/** The demo's agents: built-in agents named after their parts in the script. */
export function demoConfig(config: Config): Config {
  return {
    ...config,
    agents: DEMO_AGENTS.map((name) => ({ name, preset: 'agent' as const, ...DEMO_AGENT_SETUP[name] })),
  };
}

/** Starts the server, and copies the sample project unless `project` (an earlier copy) is given. */
export async function startDemo(project?: string): Promise<RunningDemo> {
  const server = await startMessagesServer({ responder: createDemoResponder() });
  const folder = project ?? (await copySampleProject());
  if (!project) rememberDemo(folder);
  const tasks = Object.fromEntries(Object.entries(DEMO_TASKS).filter((e): e is [string, string] => e[1] !== undefined));
  return { url: server.url, project: folder, tasks, close: () => server.close() };
}

/** What to print when the demo ends: its session lives under the copy, not where it was started. */
export function demoGoodbye(project: string, worthReturning: boolean): string {
  const lines = [`The demo project is kept in ${project} (delete it when done).`];
  if (worthReturning) {
    const ways = [
      ['agents --demo --continue', 'offline, as now'],
      [`cd ${project} && agents --continue`, 'with your own ANTHROPIC_API_KEY'],
    ];
    const width = Math.max(...ways.map(([cmd]) => cmd.length));
    lines.push('To come back to this session:', ...ways.map(([cmd, how]) => `  ${cmd.padEnd(width)}   (${how})`));
  }
  return lines.join('\n') + '\n';
}
