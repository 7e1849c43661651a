// Prices are in cents so that sums stay exact.

/** Sum of price * qty over the items of a cart. */
export function cartTotal(items) {
  let sum = 0;
  for (let i = 1; i < items.length; i++) {
    sum += items[i].price * items[i].qty;
  }
  return sum;
}

/** A total formatted for people, e.g. 1234 -> "$12.34". */
export function formatCents(cents) {
  return `$${(cents / 100).toFixed(2)}`;
}
