/**
 * Headless Chromium (Debian's package `chromium`; CI installs it) for tests that
 * render a page as a reader's browser would: the DOM after load, a screenshot, and
 * what a small script measured. Each run has a profile of its own, removed after.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The browser: `CHROMIUM` when set, else `chromium` on the PATH. */
export const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

/** What a reader's laptop shows: 1280 px wide. */
export const VIEWPORT = { width: 1280, height: 2000 } as const;

/** A run that has not finished by then has hung: the test fails rather than the suite. */
const RUN_TIMEOUT_MS = 90_000;

/** Flags that keep Chromium quiet and alone: no first-run tasks, no update or sync traffic. */
const QUIET_FLAGS = [
  '--headless',
  '--disable-gpu',
  // Tests may run as root (CI containers), where the sandbox cannot start.
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--window-size=${VIEWPORT.width},${VIEWPORT.height}`,
];

async function chromium(args: readonly string[]): Promise<string> {
  const profile = mkdtempSync(path.join(tmpdir(), 'bucket-classification-chromium-'));
  try {
    const { stdout } = await run(
      CHROMIUM,
      [...QUIET_FLAGS, `--user-data-dir=${profile}`, ...args],
      {
        timeout: RUN_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `${CHROMIUM} not found: install Debian's package chromium (apt-get install -y chromium) or set CHROMIUM to the browser`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The document of `file` as Chromium holds it once loaded (scripts, if allowed, have run). */
export function dumpDom(file: string): Promise<string> {
  return chromium(['--dump-dom', pathToFileURL(file).href]);
}

/** A PNG of the top of `file`, {@link VIEWPORT} in size, written to `png`. */
export async function screenshot(file: string, png: string): Promise<void> {
  await chromium([`--screenshot=${png}`, pathToFileURL(file).href]);
}

/** Width and height of a PNG, from its IHDR chunk. */
export function pngSize(png: string): { width: number; height: number } {
  const bytes = readFileSync(png);
  if (bytes.toString('latin1', 1, 4) !== 'PNG') throw new Error(`${png} is not a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** How wide a page lays out: its content and the window it has (less any scrollbar). */
export interface PageWidth {
  readonly scrollWidth: number;
  readonly clientWidth: number;
}

const MEASURE = `<script>
document.body.dataset.scrollWidth = document.documentElement.scrollWidth;
document.body.dataset.clientWidth = document.documentElement.clientWidth;
</script>`;

/**
 * Lays out `html` at {@link VIEWPORT} and measures it. The page gets a small
 * script (and a Content-Security-Policy that lets that one script run, when it
 * has one): the measurement is made on a copy written to `copy`; the page itself
 * stays as it is.
 */
export async function measureWidth(html: string, copy: string): Promise<PageWidth> {
  const measured = html
    .replace(
      /(http-equiv="Content-Security-Policy" content="[^"]*)"/,
      `$1; script-src 'unsafe-inline'"`,
    )
    .replace('</body>', `${MEASURE}</body>`);
  writeFileSync(copy, measured);
  const dom = await dumpDom(copy);
  const body = /<body[^>]*data-scroll-width="(\d+)"[^>]*data-client-width="(\d+)"/.exec(dom);
  if (!body) throw new Error(`the measuring script did not run in ${copy}`);
  return { scrollWidth: Number(body[1]), clientWidth: Number(body[2]) };
}
