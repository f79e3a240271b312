import { BusinessValidationError } from '../common/errors';
import { formatMajorUnits, MAX_MINOR_UNITS } from '../common/money';
import { CatalogueItem } from '../products/products.service';

/**
 * What an order costs, in the product's minor units: a DENOMINATION product costs the chosen face
 * value times the quantity; a UNIT product its unit price times the quantity, times the hours it is
 * rented for when it is rented (CatFee's energy).
 */
export function priceOrder(product: CatalogueItem, quantity: number, denomination: bigint | undefined, hours = 1): bigint {
  let amount: bigint;
  if (product.type === 'DENOMINATION') {
    if (denomination === undefined) throw new BusinessValidationError('denomination', 'denomination is required for this product');
    const offered = product.denominations ?? [];
    if (!offered.includes(denomination)) {
      // Both units: the main API takes minor units, Starship's routes major ones.
      const major = offered.map((face) => formatMajorUnits(face, product.currency)).join(', ');
      throw new BusinessValidationError('denomination', `denomination must be one of ${offered.join(', ')} minor units (${major} ${product.currency})`);
    }
    amount = denomination * BigInt(quantity);
  } else {
    if (denomination !== undefined) throw new BusinessValidationError('denomination', 'this product is sold per unit, without a denomination');
    amount = product.unitPrice! * BigInt(quantity) * BigInt(hours);
  }
  if (amount > MAX_MINOR_UNITS) throw new BusinessValidationError('quantity', 'the order total would exceed 9007199254740991 minor units');
  return amount;
}
