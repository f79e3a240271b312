import { ApiError } from '../common/errors';
import { CatalogueItem } from '../products/products.service';
import { priceOrder } from './pricing';

const giftCard: CatalogueItem = { id: 123, name: 'gift', type: 'DENOMINATION', currency: 'USD', denominations: [1000n, 2500n], unitPrice: null };
const energy: CatalogueItem = { id: 200, name: 'energy', type: 'UNIT', currency: 'TRX', denominations: null, unitPrice: 162n };

const detailOf = (run: () => unknown) => {
  try {
    run();
    return undefined;
  } catch (error) {
    return ((error as ApiError).details as Array<{ field: string }>)[0].field;
  }
};

describe('priceOrder', () => {
  it('prices a denomination times the quantity', () => {
    expect(priceOrder(giftCard, 5, 2500n)).toBe(12500n);
  });

  it('prices a unit product by its unit price', () => {
    expect(priceOrder(energy, 10000, undefined)).toBe(1_620_000n);
  });

  it('multiplies a rented unit product by its hours (CatFee: 65 000 energy for 1 h)', () => {
    expect(priceOrder(energy, 65_000, undefined, 1)).toBe(10_530_000n);
    expect(priceOrder(energy, 65_000, undefined, 3)).toBe(31_590_000n);
  });

  it('refuses a denomination not offered, a missing one, or one on a unit product', () => {
    expect(detailOf(() => priceOrder(giftCard, 1, 999n))).toBe('denomination');
    expect(detailOf(() => priceOrder(giftCard, 1, undefined))).toBe('denomination');
    expect(detailOf(() => priceOrder(energy, 1, 100n))).toBe('denomination');
  });

  it('refuses a total past 2^53-1', () => {
    const huge: CatalogueItem = { ...energy, unitPrice: 9007199254740991n };
    expect(detailOf(() => priceOrder(huge, 2, undefined))).toBe('quantity');
  });
});
