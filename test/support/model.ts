import assert from 'node:assert/strict';
import { hitViewSchema } from '../../src/core/model/hit.js';

/**
 * Hits as the API sent them, each checked to be exactly the model's hit view (src/core/model):
 * parsing drops fields the model does not name, so equality also catches a field it lacks.
 * Returned untyped, as tests read kind-specific fields without narrowing.
 */
export function modelHits(items: unknown[]): any[] {
  for (const item of items) assert.deepEqual(hitViewSchema.parse(item), item, "an API hit is the model's hit view");
  return items;
}
