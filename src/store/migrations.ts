/**
 * Upgrades of stored records, applied on read (files are append-only and never rewritten).
 * MIGRATIONS[kind][n] turns a version-n record into version n+1; a record is upgraded step by step
 * up to RECORD_VERSION. Version 0 is the draft format written before records were versioned: no
 * `v`, the time as `time` (an ISO string or ms), agent messages flat (`role` and `content` at the
 * top level) and usage in snake_case (`input_tokens`, `output_tokens`, `cost_usd`).
 */
import { RECORD_VERSION, type StreamKind } from './schema.js';

type Raw = Record<string, unknown>;
type Migration = (r: Raw) => Raw;

function timeOf(r: Raw): number | undefined {
  const x = r.t ?? r.time ?? r.ts;
  if (typeof x === 'number') return x;
  if (typeof x === 'string') {
    const ms = Date.parse(x);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function v0Base(r: Raw): Raw {
  const { time: _time, ts: _ts, ...rest } = r;
  return { ...rest, v: 1, t: timeOf(r) };
}

export const MIGRATIONS: Record<StreamKind, Migration[]> = {
  events: [v0Base],
  feed: [(r) => ({ ...r, v: 1, t: timeOf(r) })], // feed entries keep their own `time`
  notes: [(r) => ({ ...r, v: 1, t: timeOf(r) })],
  agent: [
    (r) => {
      const out = v0Base(r);
      if (out.kind === undefined && typeof out.role === 'string') {
        const { role, content, ...rest } = out;
        return { ...rest, kind: 'message', message: { role, content } };
      }
      return out;
    },
  ],
  // Tasks were first stored at version 1: nothing to upgrade from.
  tasks: [v0Base],
  usage: [
    (r) => {
      const { input_tokens, output_tokens, cost_usd, ...rest } = v0Base(r);
      return {
        ...rest,
        inputTokens: rest.inputTokens ?? input_tokens,
        outputTokens: rest.outputTokens ?? output_tokens,
        ...(cost_usd !== undefined || rest.cost !== undefined ? { cost: rest.cost ?? cost_usd } : {}),
      };
    },
  ],
};

/**
 * The record at RECORD_VERSION, or undefined when it cannot be: a version from a newer agents, or
 * a version that is not a whole number.
 */
export function upgrade(kind: StreamKind, raw: Raw): Raw | undefined {
  let v = raw.v === undefined ? 0 : raw.v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > RECORD_VERSION) return undefined;
  let r = raw;
  const steps = MIGRATIONS[kind];
  while (v < RECORD_VERSION) {
    const step = steps[v];
    if (step === undefined) return undefined;
    r = step(r);
    v++;
  }
  return r;
}
