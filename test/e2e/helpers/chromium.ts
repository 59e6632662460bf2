/**
 * Launches Debian's `chromium` (apt-get install -y --no-install-recommends chromium) headless
 * through playwright-core, which downloads nothing: it drives the binary we point it at. Tests
 * skip with `CHROMIUM_SKIP_REASON` when the binary is missing. PLASTICD_CHROMIUM_BIN overrides the path.
 */
import { accessSync, constants } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM_BINARY = process.env.PLASTICD_CHROMIUM_BIN ?? '/usr/bin/chromium';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const chromiumAvailable = executable(CHROMIUM_BINARY);

export const CHROMIUM_SKIP_REASON: string | false = chromiumAvailable
  ? false
  : `${CHROMIUM_BINARY} not found: install Debian's chromium (apt-get update && apt-get install -y --no-install-recommends chromium) or set PLASTICD_CHROMIUM_BIN`;

/** Headless Chromium; --no-sandbox because CI containers run as root. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_BINARY,
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
