import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';

/**
 * The headless browser the report prints through (`allocsim report --pdf`) and the
 * report tests render in. It is the Chromium build that the npm package
 * `@sparticuz/chromium` ships inside itself (decompressed once into the temp
 * folder), so `npm install` brings it and nothing is installed by hand; the same
 * build everywhere keeps screenshots and PDFs alike across machines. Set
 * `CHROMIUM_PATH` to use another Chromium instead (e.g. `/usr/bin/chromium`).
 */

/** Flags for a closed network: no background requests, no sandbox (root), no GPU. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--font-render-hinting=none',
];

/** Raised when no browser can be started; the message says what to do. */
export class BrowserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrowserError';
  }
}

/**
 * A fontconfig file that sees the system's fonts (when there are any) and the
 * fonts the package ships, so text renders on a machine with no fonts installed.
 */
function fontConfig(): string {
  const dir = join(tmpdir(), 'allocsim-fonts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'fonts.conf');
  if (!existsSync(file)) {
    writeFileSync(
      file,
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
        `  <dir>${join(tmpdir(), 'fonts')}</dir>\n  <cachedir>${join(dir, 'cache')}</cachedir>\n</fontconfig>\n`,
    );
  }
  return file;
}

/** Path of the Chromium executable: `CHROMIUM_PATH`, else the packaged build. */
export async function chromiumPath(): Promise<string> {
  const own = process.env.CHROMIUM_PATH;
  if (own) {
    if (!existsSync(own)) throw new BrowserError(`CHROMIUM_PATH(=${own}) does not exist`);
    return own;
  }
  try {
    const packaged = (await import('@sparticuz/chromium')).default;
    return await packaged.executablePath();
  } catch (err) {
    throw new BrowserError(`no browser: the package @sparticuz/chromium is missing or failed to unpack (run npm install, or set CHROMIUM_PATH)`, { cause: err });
  }
}

/** Starts a headless Chromium through playwright-core. The caller closes it. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await chromiumPath();
  const { chromium } = await import('playwright-core');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.FONTCONFIG_FILE = fontConfig();
  return chromium.launch({ executablePath, args: ARGS, env });
}
