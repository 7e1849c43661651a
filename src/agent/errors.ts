/**
 * API failures in words a person can act on. Kinds decide what the loop does: `retry-stream` is a
 * response that broke after it started (the SDK does not retry those), everything else is final
 * once the SDK's own retries are spent.
 */
import Anthropic from '@anthropic-ai/sdk';

export type FailureKind = 'aborted' | 'retry-stream' | 'final';

export interface Failure {
  kind: FailureKind;
  message: string;
}

export function classify(err: unknown, opts: { started: boolean; stalled: boolean }): Failure {
  if (opts.stalled) return { kind: 'retry-stream', message: 'the response stalled (no data for a while)' };
  if (err instanceof Anthropic.APIUserAbortError) return { kind: 'aborted', message: 'interrupted' };
  if (err instanceof Anthropic.APIError && err.status !== undefined) {
    const s = err.status;
    if (s === 401) return { kind: 'final', message: 'the API key was refused (401). Check ANTHROPIC_API_KEY.' };
    if (s === 403) return { kind: 'final', message: 'this key may not use that model (403). Try /model with another model.' };
    if (s === 404) return { kind: 'final', message: `not found (404): ${detail(err)}. Check the model name (/model) and ANTHROPIC_BASE_URL.` };
    if (s === 429) return { kind: 'final', message: 'rate limited (429) after retries. Wait a minute, then send again.' };
    if (s === 529) return { kind: 'final', message: 'the API is overloaded (529) after retries. Try again shortly.' };
    if (s >= 500) return { kind: 'final', message: `the API failed (${s}) after retries. Try again shortly.` };
    return { kind: 'final', message: `the request was rejected (${s}): ${detail(err)}` };
  }
  // An `error` event inside a stream that had started (how the API reports overload mid-response):
  // the SDK gives it no status. Overload and server errors are worth a retry of the whole response.
  if (err instanceof Anthropic.APIError && err.status === undefined && !(err instanceof Anthropic.APIConnectionError)) {
    const body = err.error as { error?: { type?: string; message?: string } } | undefined;
    const type = body?.error?.type ?? 'error';
    const what = `the API reported ${type} mid-response${body?.error?.message ? ` (${body.error.message})` : ''}`;
    if (opts.started && (type === 'overloaded_error' || type === 'api_error' || type === 'error')) return { kind: 'retry-stream', message: what };
    return { kind: 'final', message: `${what}. Try again shortly.` };
  }
  // A connection that broke or an SSE stream cut off. Before any response started the SDK already
  // retried; after it started, it is ours to retry.
  const text = err instanceof Error ? err.message : String(err);
  if (opts.started) return { kind: 'retry-stream', message: `the connection broke mid-response (${text})` };
  return { kind: 'final', message: `could not reach the API (${text}). Check the network and ANTHROPIC_BASE_URL.` };
}

function detail(err: InstanceType<typeof Anthropic.APIError>): string {
  const body = err.error as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? err.message;
}
