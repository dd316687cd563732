/** GUID-shaped ids derived from names: the same parts always give the same id (version 5 layout, SHA-1). */
import { createHash } from 'node:crypto';

export function guidFrom(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('\n')).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
