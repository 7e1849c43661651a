// Workflows and roles: a chain of roles planned for a goal ({goal} filled in everywhere, the goal
// itself given to each step), the defaults a project gets, and the config overriding them by name.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLES, rolesWith } from '../../src/tasks/roles.js';
import { DEFAULT_WORKFLOWS, planWorkflow, workflowsWith, type Workflow } from '../../src/tasks/workflow.js';
import { configSchemas } from '../../src/config/schema.js';

describe('planWorkflow', () => {
  it('plans the default build chain: implement, review (marked), test, with the goal filled in', () => {
    const steps = planWorkflow(DEFAULT_WORKFLOWS.build, 'fix the cart total');
    expect(steps.map((s) => [s.role, s.title, s.review])).toEqual([
      ['implementer', 'Implement: fix the cart total', false],
      ['reviewer', 'Review: fix the cart total', true],
      ['tester', 'Test: fix the cart total', false],
    ]);
    for (const s of steps) expect(s.details?.endsWith('\n\nThe goal: fix the cart total')).toBe(true);
  });

  it('fills every {goal}, literally (no replacement patterns), and keeps checks and claims', () => {
    const w: Workflow = { steps: [{ role: 'implementer', title: '{goal} / {goal}', details: 'Do {goal}.', check: 'npm test', claims: ['src/'] }] };
    const [s] = planWorkflow(w, "use $& and $1 ");
    expect(s).toEqual({ role: 'implementer', title: "use $& and $1  / use $& and $1 ", details: "Do use $& and $1 .\n\nThe goal: use $& and $1 ", check: 'npm test', claims: ['src/'], review: false });
  });

  it('cuts a title to the board\'s 200 characters; a step without details gets the goal alone', () => {
    const w: Workflow = { steps: [{ role: 'tester', title: 'Test: {goal}' }] };
    const [s] = planWorkflow(w, 'x'.repeat(500));
    expect(s.title).toHaveLength(200);
    expect(s.details).toBe(`The goal: ${'x'.repeat(500)}`);
  });

  it('the config overrides a default by name and adds its own; the defaults are valid config', () => {
    const mine: Workflow = { steps: [{ role: 'tester', title: 'Only test {goal}' }] };
    const all = workflowsWith({ build: mine, docs: mine });
    expect(all.build).toBe(mine);
    expect(Object.keys(all).sort()).toEqual(['build', 'docs']);
    expect(DEFAULT_WORKFLOWS.build.steps).toHaveLength(3);
    for (const w of Object.values(DEFAULT_WORKFLOWS)) expect(configSchemas().WorkflowSchema.safeParse(w).success).toBe(true);
  });
});

describe('roles', () => {
  it('ships lead, implementer, reviewer and tester, each telling the agent how to finish', () => {
    expect(Object.keys(DEFAULT_ROLES).sort()).toEqual(['implementer', 'lead', 'reviewer', 'tester']);
    expect(DEFAULT_ROLES.lead.instructions).toContain('create_task');
    for (const r of ['implementer', 'reviewer', 'tester']) expect(DEFAULT_ROLES[r].instructions).toContain('complete_task');
    expect(DEFAULT_ROLES.reviewer.instructions).toContain('`changes`');
    // Every role a default workflow names exists.
    for (const s of DEFAULT_WORKFLOWS.build.steps) expect(DEFAULT_ROLES[s.role]).toBeDefined();
  });

  it('the config overrides a role by name and adds its own', () => {
    const roles = rolesWith({ lead: { instructions: 'Plan carefully.' }, docs: { instructions: 'Write docs.', preset: 'claude' } });
    expect(roles.lead.instructions).toBe('Plan carefully.');
    expect(roles.docs.preset).toBe('claude');
    expect(roles.tester).toBe(DEFAULT_ROLES.tester);
    expect(DEFAULT_ROLES.lead.instructions).not.toBe('Plan carefully.');
  });
});
