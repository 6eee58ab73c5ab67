import { rejection, reservationLines } from './domain';

describe('inventory domain', () => {
  test('reservation lines merge a SKU listed twice and sort by SKU', () => {
    expect(
      reservationLines([
        { product_sku: 'B', quantity: 1 },
        { product_sku: 'A', quantity: 2 },
        { product_sku: 'B', quantity: 3 },
      ]),
    ).toEqual([
      { product_sku: 'A', quantity: 2 },
      { product_sku: 'B', quantity: 4 },
    ]);
  });

  test('a rejection lists only the short lines with what is available', () => {
    const lines = [
      { product_sku: 'A', quantity: 2 },
      { product_sku: 'B', quantity: 5 },
    ];
    expect(
      rejection(
        lines,
        new Map([
          ['A', 10],
          ['B', 3],
        ]),
      ),
    ).toEqual({
      reason: 'insufficient_stock',
      details: [{ product_sku: 'B', requested: 5, available: 3 }],
    });
  });

  test('an unknown SKU makes the reason unknown_sku and counts as zero available', () => {
    const lines = [
      { product_sku: 'A', quantity: 1 },
      { product_sku: 'GHOST', quantity: 1 },
    ];
    expect(
      rejection(
        lines,
        new Map<string, number | undefined>([
          ['A', 0],
          ['GHOST', undefined],
        ]),
      ),
    ).toEqual({
      reason: 'unknown_sku',
      details: [
        { product_sku: 'A', requested: 1, available: 0 },
        { product_sku: 'GHOST', requested: 1, available: 0 },
      ],
    });
  });
});
