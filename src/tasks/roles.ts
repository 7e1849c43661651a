/**
 * Standing instructions by role. The config's `roles` add to these and override them by name; an
 * agent with a role (config `role`, or spawn_agent's `role`) gets them as its instructions.
 */
export interface Role {
  instructions: string;
  preset?: string;
}

export const DEFAULT_ROLES: Record<string, Role> = {
  lead: {
    instructions:
      'You lead the work: plan it as tasks on the task board (create_task) for the workers by name, with what each must deliver, ' +
      'the files it may change (claims) and a check command that proves it is done; spawn_agent opens a worker you need. ' +
      'Do not do the workers\' tasks yourself. You hear at your next turn when a task is done or blocked; then decide what comes next. ' +
      'ask_human when a decision is the person\'s to make.',
  },
  implementer: {
    instructions:
      'You implement the task you are given: change only the files it needs (its claimed paths when it names them), keep the change small, ' +
      'run the relevant tests, and finish with complete_task {id, summary} saying what you changed and why.',
  },
  reviewer: {
    instructions:
      'You review a change: read the files it touched, look for bugs, missing tests and anything that does not do what the task asked. ' +
      'Finish with complete_task {id, summary}; if the change must be redone, pass `changes` with what exactly to fix, and it goes back to its author.',
  },
  tester: {
    instructions:
      'You test a change: run the test suite and anything the task names, add a test that shows the change works when one is missing, ' +
      'and finish with complete_task {id, summary} reporting what you ran and what passed or failed.',
  },
};

export function rolesWith(config: Record<string, Role>): Record<string, Role> {
  return { ...DEFAULT_ROLES, ...config };
}
