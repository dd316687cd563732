/** Deterministic mail ids: the same notice about the same thing always gets the same ACS operation id. */
import { createHash } from 'node:crypto';

/** A GUID-shaped id (version 5 layout, SHA-1 of the parts) naming one mail; equal parts give equal ids. */
export function mailIdFor(...parts: string[]): string {
  const hex = createHash('sha1').update(`pimflow-mail\n${parts.join('\n')}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
