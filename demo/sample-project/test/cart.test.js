import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cartTotal, formatCents } from '../src/cart.js';

test('an empty cart costs nothing', () => {
  assert.equal(cartTotal([]), 0);
});

test('every item counts, the first one too', () => {
  const items = [
    { name: 'tea', price: 450, qty: 2 },
    { name: 'cake', price: 300, qty: 1 },
  ];
  assert.equal(cartTotal(items), 1200);
});

test('totals are formatted as dollars', () => {
  assert.equal(formatCents(1200), '$12.00');
});
