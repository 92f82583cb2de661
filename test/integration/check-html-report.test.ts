/**
 * `check --format html` as a reader sees it: rendered by headless Chromium at
 * 1280 px. The page must show the totals and a table per team, fit the window
 * without scrolling sideways (long bucket, team and type names wrap), and load
 * nothing from anywhere, even when a tag value holds markup that points at a
 * server. The screenshot is kept in reports/screenshots/ (git-ignored) for people
 * to look at.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { dumpDom, measureWidth, pngSize, screenshot, VIEWPORT } from '../support/chromium';
import { runCli } from '../support/cli';
import {
  EXAMPLE_BUCKET_TAGS,
  exampleFindingsPath,
  loadMacieEvent,
  type RawEvent,
  REPO_ROOT,
} from '../support/fixtures';
import { createTempDir, type TempDir } from '../support/temp-dir';

/** Chromium starts, loads and renders a few times per test; generous on a busy machine. */
const BROWSER_TIMEOUT_MS = 240_000;

const SCREENSHOTS = path.join(REPO_ROOT, 'reports', 'screenshots');

/** The longest bucket name S3 allows (63 characters), with no place to break it. */
const LONG_BUCKET = 'acmedatalakerawexportsfromthelegacywarehousenightlyjobsarchive1';

/** A team tag of 200 characters with no place to break it. */
const LONG_TEAM = `platform${'x'.repeat(192)}`;

/** A server that counts every request it gets: nothing should reach it. */
interface Canary {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

async function startCanary(): Promise<Canary> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A finding of card numbers (Confidential declared: a Medium violation) in `bucket` of `team`,
 * with an id of its own (one id read twice is judged once).
 */
function cardNumbersIn(bucket: string, team: string): RawEvent {
  const event = loadMacieEvent('sensitive-financial.json');
  event.detail.id = `card-numbers-in-${bucket}`;
  event.detail.resourcesAffected.s3Bucket.name = bucket;
  event.detail.resourcesAffected.s3Bucket.tags = [
    { key: 'DataClassification', value: 'Confidential' },
    { key: 'Team', value: team },
  ];
  return event;
}

describe('check --format html in Chromium', () => {
  let dir: TempDir;
  let canary: Canary;
  let reportFile: string;
  let html: string;

  beforeAll(async () => {
    dir = createTempDir();
    canary = await startCanary();
    const markup = [
      `<img src="${canary.url}/img">`,
      `<link rel="stylesheet" href="${canary.url}/css">`,
      `<script src="${canary.url}/js"></script>`,
      `<iframe src="${canary.url}/frame"></iframe>`,
    ].join('');
    const findings = dir.write(
      'more-findings.json',
      JSON.stringify([
        cardNumbersIn(LONG_BUCKET, LONG_TEAM),
        cardNumbersIn('acme-markup-in-tags', markup),
      ]),
    );
    const { stdout, code } = await runCli(
      'check',
      exampleFindingsPath(),
      findings,
      '--tags',
      EXAMPLE_BUCKET_TAGS,
      '--format',
      'html',
    );
    if (code !== 0) throw new Error(`check --format html exited ${code}`);
    html = stdout;
    mkdirSync(SCREENSHOTS, { recursive: true });
    reportFile = path.join(SCREENSHOTS, 'check-report.html');
    writeFileSync(reportFile, html);
  });

  afterAll(async () => {
    await canary?.close();
    dir?.remove();
  });

  it(
    'shows the totals, the chart and a table per team',
    async () => {
      const dom = await dumpDom(reportFile);

      expect(dom).toContain(
        '<p>16 findings in 11 buckets: 11 violations, 2 unclassified, 1 compliant, 2 ignored.</p>',
      );
      expect(dom).toContain('<h2>Violations by team and severity</h2>');
      const teams = [...dom.matchAll(/<h2>Team ([^<]*)<\/h2>/g)].map(([, team]) => team);
      expect(teams).toEqual(
        expect.arrayContaining([
          'platform',
          'web',
          'data-platform',
          'people-ops',
          'payments',
          'legacy-share-alerts',
          'research',
          'analytics',
          'security',
          LONG_TEAM,
        ]),
      );
      expect(teams).toHaveLength(11);
      expect(dom.match(/<table>/g)).toHaveLength(11);
      expect(dom).toContain(`<td>${LONG_BUCKET}</td>`);
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'keeps markup in a tag value as text: no element is made of it',
    async () => {
      const dom = await dumpDom(reportFile);

      expect(dom).toContain(`<h2>Team &lt;img src="${canary.url}/img"&gt;&lt;link rel=`);
      expect(dom).not.toMatch(/<(img|link|script|iframe)\b/i);
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'fits 1280 px without scrolling sideways',
    async () => {
      const width = await measureWidth(html, path.join(dir.path, 'measured.html'));

      // The window is the width asked for (less a vertical scrollbar, if any)...
      expect(width.clientWidth).toBeGreaterThan(VIEWPORT.width - 40);
      expect(width.clientWidth).toBeLessThanOrEqual(VIEWPORT.width);
      // ...and the page is no wider.
      expect(width.scrollWidth).toBeLessThanOrEqual(width.clientWidth);
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'renders a screenshot, loading nothing from anywhere',
    async () => {
      const png = path.join(SCREENSHOTS, 'check-report.png');

      await screenshot(reportFile, png);
      await dumpDom(reportFile);

      expect(pngSize(png)).toEqual({ width: VIEWPORT.width, height: VIEWPORT.height });
      expect(canary.requests).toEqual([]);
      expect(html).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
      );
    },
    BROWSER_TIMEOUT_MS,
  );

  describe('the checks themselves can fail', () => {
    it(
      'measures a page wider than the window as wider',
      async () => {
        const wide =
          '<!DOCTYPE html><html><body><div style="width:2000px">wide</div></body></html>';

        const width = await measureWidth(wide, path.join(dir.path, 'wide.html'));

        expect(width.scrollWidth).toBeGreaterThan(width.clientWidth);
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'sees the request of a page without the policy that loads an image',
      async () => {
        const control = await startCanary();
        const page = dir.write(
          'loads-an-image.html',
          `<!DOCTYPE html><html><body><img src="${control.url}/control.png"></body></html>`,
        );

        try {
          await dumpDom(page);
        } finally {
          await control.close();
        }

        expect(control.requests).toEqual(['/control.png']);
      },
      BROWSER_TIMEOUT_MS,
    );
  });
});
