/**
 * Workflows: chains of roles from the config (`workflows`), e.g. implement -> review -> test.
 * Starting one for a goal makes its tasks, each waiting for the one before and owned by the agent
 * with that step's role. A review step is given the files the step before it changed and may send
 * that step back with its comments (within the same attempt limit).
 */
import type { configSchemas } from '../config/schema.js';
import type * as z from 'zod';

export type Workflow = z.infer<ReturnType<typeof configSchemas>['WorkflowSchema']>;

/** The workflows every project has unless its config defines one of the same name. */
export const DEFAULT_WORKFLOWS: Record<string, Workflow> = {
  build: {
    description: 'implement, then review, then test',
    steps: [
      { role: 'implementer', title: 'Implement: {goal}', details: 'Make the change the goal asks for. Keep it small and focused.' },
      { role: 'reviewer', title: 'Review: {goal}', review: true, details: 'Review the change made for the goal. Send it back (complete_task with `changes`) if it must be redone.' },
      { role: 'tester', title: 'Test: {goal}', details: 'Run the tests, add one if the change has none, and report.' },
    ],
  },
};

export function workflowsWith(config: Record<string, Workflow>): Record<string, Workflow> {
  return { ...DEFAULT_WORKFLOWS, ...config };
}

export interface PlannedStep {
  role: string;
  title: string;
  details?: string;
  check?: string;
  claims?: string[];
  review: boolean;
}

/** The steps of `w` for `goal`: titles and details with {goal} filled in. */
export function planWorkflow(w: Workflow, goal: string): PlannedStep[] {
  const fill = (s: string) => s.split('{goal}').join(goal);
  return w.steps.map((s) => ({
    role: s.role,
    title: fill(s.title).slice(0, 200),
    details: [s.details && fill(s.details), `The goal: ${goal}`].filter(Boolean).join('\n\n'),
    check: s.check,
    claims: s.claims,
    review: s.review === true,
  }));
}
