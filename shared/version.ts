/** The app's version, from package.json (read once at load; the file ships with the app). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

function readVersion(): string {
  // dist/shared/version.js → package.json two levels up, in the source tree and in a deployed package alike.
  const file = path.resolve(__dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export const APP_VERSION = readVersion();
