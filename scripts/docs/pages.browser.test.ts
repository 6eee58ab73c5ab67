import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { topicNames } from '../../shared/topology';
import { apiServices } from './apis';
import { root } from './generate';
import { startDocsServer } from './serve';

/**
 * The documentation pages as a person sees them: a headless Chromium (Debian's `chromium`, or
 * CHROMIUM_PATH) opens each page and must find every documented route and every topic rendered.
 */
const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => !!p && existsSync(p),
);
if (!executablePath)
  process.stderr.write('docs pages test skipped: no Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)\n');
const describeWithChromium = executablePath ? describe : describe.skip;

describeWithChromium('the documentation pages in a browser', () => {
  let browser: Browser;
  let docs: Awaited<ReturnType<typeof startDocsServer>>;

  beforeAll(async () => {
    docs = await startDocsServer(0);
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await docs?.close();
  });

  test.each(apiServices)('the %s API page shows every documented route', async (service) => {
    const doc = parseYaml(readFileSync(path.join(root, `docs/openapi/${service}.yaml`), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const page = await browser.newPage();
    try {
      await page.goto(`${docs.url}/api/${service}`);
      await page.waitForSelector('.opblock-summary', { timeout: 30_000 });
      const shown = await page.$$eval('.opblock-summary', (blocks) =>
        blocks.map(
          (b) =>
            `${b.querySelector('.opblock-summary-method')?.textContent?.trim()} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`,
        ),
      );
      expect(shown.sort()).toEqual(documented.sort());
    } finally {
      await page.close();
    }
  });

  test('the events page shows every topic the topology provisions', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${docs.url}/events`);
      const shown = await page.$$eval('[data-topic]', (titles) => titles.map((t) => t.textContent?.trim()));
      expect(shown.sort()).toEqual([...topicNames()].sort());
    } finally {
      await page.close();
    }
  });
});
