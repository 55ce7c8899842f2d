import { checkConstInt } from './constants.js';
import { globalContext, type Checker } from './context.js';
import { checkBool } from './expressions.js';

/**
 * `invariant` and `eventually` bodies: bools over the whole system, so there is
 * no own node (bare state names are FTP215) and `self` is undefined.
 */
export function checkProperties(c: Checker): void {
  for (const property of c.items.properties) {
    const decl = property.decl;
    const place = decl.property === 'invariant' ? 'an invariant' : "an 'eventually' property";
    checkBool(c, globalContext(place), decl.body, `the body of ${property.name || 'a property'}`);
    if (decl.within) checkConstInt(c, decl.within, "the bound of 'within'", { min: 0 });
  }
}
