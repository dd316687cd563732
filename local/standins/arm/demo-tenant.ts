/** Where the demo ARM tenant seed lives, next to this module in the source tree and in dist/ alike. */
import path from 'node:path';
// Importing the JSON makes tsc copy it into dist/ beside this module; the stand-in reads it by path.
import type * as _seed from './demo-tenant.json';

export const DEMO_ARM_TENANT_FILE = path.join(__dirname, 'demo-tenant.json');
