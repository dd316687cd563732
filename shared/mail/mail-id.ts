/** Deterministic mail ids: the same notice about the same thing always gets the same ACS operation id. */
import { guidFrom } from '../deterministic-id';

/** A GUID naming one mail; equal parts give equal ids. */
export function mailIdFor(...parts: string[]): string {
  return guidFrom('pimflow-mail', ...parts);
}
