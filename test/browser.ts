/**
 * Browser tests run in headless Chromium (Debian's `chromium`, driven by `playwright-core`; browser downloads
 * don't work here). `describeInBrowser` skips its tests when no Chromium is found — and test/global-setup.ts says so
 * loudly, so a skipped browser suite never passes unnoticed.
 */
import { describe } from 'vitest';
import { findChromium } from '../bench/browser';

export { findChromium, launchChromium } from '../bench/browser';

export const describeInBrowser = findChromium() ? describe : describe.skip;
