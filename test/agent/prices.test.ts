// Cost arithmetic against the dated price table (data/prices.json), worked out by hand.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costOf, priceFor, priceTable, type PriceTable } from '../../src/agent/prices.js';

const file = JSON.parse(readFileSync(new URL('../../data/prices.json', import.meta.url), 'utf8')) as PriceTable;

describe('the price table', () => {
  it('is the data file, dated, with the prices FIELD-NOTES lists (input / 5m / 1h / read / output)', () => {
    expect(priceTable()).toEqual({ asOf: file.asOf, models: file.models });
    expect((file as unknown as { currency: string }).currency).toBe('USD');
    expect(file.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const row = (m: string) => {
      const p = priceFor(m)!;
      return [p.input, p.cacheWrite5m, p.cacheWrite1h, p.cacheRead, p.output];
    };
    expect(row('claude-opus-5-5')).toEqual([4, 5, 8, 0.2, 20]);
    expect(row('claude-sonnet-5-5')).toEqual([2, 2.5, 4, 0.2, 10]);
    expect(row('claude-sonnet-5')).toEqual([2, 2.5, 4, 0.2, 10]);
    expect(row('claude-sonnet-4-6')).toEqual([3, 3.75, 6, 0.3, 15]);
    expect(row('claude-sonnet-4-5-20250929')).toEqual([3, 3.75, 6, 0.3, 15]);
    expect(row('claude-haiku-4-5')).toEqual([1, 1.25, 2, 0.1, 5]);
    expect(row('claude-haiku-5-5')).toEqual([0.1, 0.125, 0.2, 0.01, 0.5]);
    expect(priceFor('claude-haiku-5-5')!.longContext).toEqual({ aboveInputTokens: 100_000, multiplier: 5 });
  });

  it('matches the longest entry contained in the model id, and nothing for unknown models', () => {
    expect(priceFor('claude-sonnet-5-5')!.match).toBe('sonnet-5-5');
    expect(priceFor('claude-sonnet-5')!.match).toBe('sonnet-5');
    expect(priceFor('gpt-9')).toBeUndefined();
    expect(costOf('gpt-9', { input_tokens: 1, output_tokens: 1 })).toBeUndefined();
  });
});

describe('costOf', () => {
  it('Opus 5.5: every kind of token at its own price', () => {
    // 10,000 in x $4 + 20,000 5m-writes x $5 + 5,000 1h-writes x $8 + 100,000 reads x $0.20 + 2,000 out x $20
    // = 40,000 + 100,000 + 40,000 + 20,000 + 40,000 = 240,000 micro-dollars = $0.24
    const cost = costOf('claude-opus-5-5', {
      input_tokens: 10_000,
      cache_creation_input_tokens: 25_000,
      cache_creation: { ephemeral_5m_input_tokens: 20_000, ephemeral_1h_input_tokens: 5_000 },
      cache_read_input_tokens: 100_000,
      output_tokens: 2_000,
    });
    expect(cost).toBeCloseTo(0.24, 12);
  });

  it('without the 5m/1h split, cache writes are priced as 5-minute writes', () => {
    // Sonnet 4.6: 1,000 x $3 + 4,000 x $3.75 + 0 + 500 x $15 = 3,000 + 15,000 + 7,500 = $0.0255
    expect(costOf('claude-sonnet-4-6', { input_tokens: 1000, cache_creation_input_tokens: 4000, output_tokens: 500 })).toBeCloseTo(0.0255, 12);
  });

  it('the total of cache writes is authoritative when the split disagrees with it', () => {
    // Haiku 4.5: 2,000 writes of which 500 are 1h: 1,500 x $1.25 + 500 x $2 = 1,875 + 1,000 = $0.002875
    const u = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 2000, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 500 } };
    expect(costOf('claude-haiku-4-5', u)).toBeCloseTo(0.002875, 12);
  });

  it('Haiku 5.5 costs 5x for every token of a request above 100k prompt tokens, not at 100k', () => {
    // At 100,000 prompt tokens (20k in + 30k written + 50k read): base price.
    // 20,000 x 0.10 + 30,000 x 0.125 + 50,000 x 0.01 + 4,000 x 0.50 = 2,000 + 3,750 + 500 + 2,000 = $0.00825
    const at = { input_tokens: 20_000, cache_creation_input_tokens: 30_000, cache_read_input_tokens: 50_000, output_tokens: 4_000 };
    expect(costOf('claude-haiku-5-5', at)).toBeCloseTo(0.00825, 12);
    // One more input token: (20,001 x 0.10 + 3,750 + 500 + 2,000) x 5 = 8,250.1 x 5 = $0.0412505
    expect(costOf('claude-haiku-5-5', { ...at, input_tokens: 20_001 })).toBeCloseTo(0.0412505, 12);
    // Cache reads count toward the 100k: 1k in + 150k read + 100 out = (100 + 1,500 + 50) x 5 = $0.00825
    expect(costOf('claude-haiku-5-5', { input_tokens: 1_000, cache_read_input_tokens: 150_000, output_tokens: 100 })).toBeCloseTo(0.00825, 12);
  });

  it('the long-context rule is only for models that have it', () => {
    // Sonnet 5 at 500k input: 500,000 x $2 = $1.00, no multiplier.
    expect(costOf('claude-sonnet-5', { input_tokens: 500_000, output_tokens: 0 })).toBeCloseTo(1, 12);
  });

  it('accepts a table as an argument (a dated file can be swapped in tests)', () => {
    const t: PriceTable = { asOf: '2030-01-01', models: [{ match: 'x', input: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0 }] };
    expect(costOf('model-x', { input_tokens: 1_000_000, output_tokens: 0 }, t)).toBe(1);
  });
});
