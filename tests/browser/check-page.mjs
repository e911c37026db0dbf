// Opens one report HTML file in Debian's Chromium as a reader would, and says what happened.
//
//   node tests/browser/check-page.mjs REPORT.html SCREENSHOT.png [--expect-text TEXT]... [--no-axe]
//
// Prints one JSON object on stdout: every request other than the file itself and data: URLs,
// console errors and warnings, page errors, axe-core's violations (WCAG 2.0/2.1 A and AA, and
// best practice), the title, the first h1, the number of headings, the number of <script>,
// <img>, <iframe> and <object> elements, for each --expect-text whether the rendered text
// (innerText) holds it, the viewport, the size of the full-page screenshot and the time each
// step took. SCREENSHOT.png may be `-` for none, and --no-axe skips the accessibility rules:
// a quicker look, e.g. to check only that a page fetches nothing.
//
// It judges nothing: it exits 0 whenever it could look at the page, 2 on wrong arguments and 1
// when it could not look (tests/test_browser.py decides what passes).
//
// playwright-core never downloads a browser; it drives /usr/bin/chromium (Debian's package),
// or CHROMIUM if that is set. Every request that would leave the file is recorded, then
// aborted, so the check never reaches the network even when the page tries to.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const VIEWPORT = { width: 1280, height: 800 };
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const TARGETS_SHOWN = 5;

function usage(message) {
  process.stderr.write(`check-page: ${message}\n`
    + 'usage: node check-page.mjs REPORT.html SCREENSHOT.png|- [--expect-text TEXT]... [--no-axe]\n');
  process.exit(2);
}

function withoutFragment(url) {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

function pngSize(buffer) {
  // The IHDR chunk follows the 8-byte signature: width and height are big-endian at 16 and 20.
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

async function checkAccessibility(page, axeSource) {
  // Evaluated through the DevTools protocol, not added as a <script> tag: a Content-Security-
  // Policy that forbids scripts (as a report may) does not stop the check.
  await page.evaluate(axeSource);
  const results = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const found = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return {
      // eslint-disable-next-line no-undef
      version: axe.version,
      violations: found.violations.map((rule) => ({
        id: rule.id,
        impact: rule.impact,
        help: rule.help,
        nodes: rule.nodes.length,
        targets: rule.nodes.map((node) => node.target.join(' ')),
        html: rule.nodes.map((node) => node.html.slice(0, 200)),
      })),
      // What axe could not decide (e.g. contrast of icon-only text): for a person to look at.
      incomplete: found.incomplete.map((rule) => ({ id: rule.id, impact: rule.impact, nodes: rule.nodes.length })),
    };
  }, AXE_TAGS);
  results.violations = results.violations.map((rule) => ({
    ...rule,
    targets: rule.targets.slice(0, TARGETS_SHOWN),
    html: rule.html.slice(0, TARGETS_SHOWN),
  }));
  return results;
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        'expect-text': { type: 'string', multiple: true, default: [] },
        'no-axe': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    usage(error.message);
  }
  const [htmlArg, screenshotArg, ...extra] = parsed.positionals;
  if (!htmlArg || !screenshotArg || extra.length) usage('a report and a screenshot path are needed');
  const expectedTexts = parsed.values['expect-text'];
  const pageUrl = pathToFileURL(path.resolve(htmlArg)).href;
  const screenshotPath = screenshotArg === '-' ? null : path.resolve(screenshotArg);
  const runAxe = !parsed.values['no-axe'];
  const axeSource = runAxe ? await readFile(require.resolve('axe-core/axe.min.js'), 'utf8') : null;
  const timings = {};
  let started = performance.now();
  const lap = (name) => {
    const now = performance.now();
    timings[name] = Math.round(now - started);
    started = now;
  };

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  lap('launch');
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-GB' });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);

    const requests = [];
    const consoleErrors = [];
    const consoleWarnings = [];
    const pageErrors = [];
    page.on('request', (request) => {
      const url = request.url();
      if (url.startsWith('data:') || withoutFragment(url) === pageUrl) return;
      requests.push(url);
    });
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error') consoleErrors.push(text);
      else if (message.type() === 'warning') consoleWarnings.push(text);
    });
    page.on('pageerror', (error) => pageErrors.push(String(error && error.message || error)));
    // Recorded above first; aborted here so nothing leaves the machine.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('data:') || withoutFragment(url) === pageUrl) return route.continue();
      return route.abort('blockedbyclient');
    });

    await page.goto(pageUrl, { waitUntil: 'load' });
    // Late requests (a script's fetch, lazy images) get a moment to show themselves.
    await page.waitForLoadState('networkidle').catch(() => {});
    lap('load');

    const facts = await page.evaluate((texts) => {
      const h1 = document.querySelector('h1');
      const count = (selector) => document.querySelectorAll(selector).length;
      const shown = document.body ? document.body.innerText : '';
      return {
        title: document.title,
        h1: h1 ? h1.textContent.replace(/\s+/g, ' ').trim() : null,
        headings_count: count('h1, h2, h3, h4, h5, h6'),
        lang: document.documentElement.getAttribute('lang'),
        elements: { script: count('script'), img: count('img'), iframe: count('iframe'), object: count('object, embed') },
        texts_found: Object.fromEntries(texts.map((text) => [text, shown.includes(text)])),
      };
    }, expectedTexts);

    const axeResults = runAxe ? await checkAccessibility(page, axeSource) : null;
    lap('axe');

    let screenshot = null;
    if (screenshotPath) {
      const png = await page.screenshot({ path: screenshotPath, fullPage: true });
      screenshot = { path: screenshotPath, ...pngSize(png) };
    }
    lap('screenshot');

    const report = {
      url: pageUrl,
      requests,
      console_errors: consoleErrors,
      console_warnings: consoleWarnings,
      page_errors: pageErrors,
      // null, not [], when --no-axe: a skipped check never reads as a clean one.
      violations: axeResults && axeResults.violations,
      incomplete: axeResults && axeResults.incomplete,
      axe_version: axeResults && axeResults.version,
      browser_version: browser.version(),
      ...facts,
      viewport: VIEWPORT,
      screenshot,
      timings_ms: timings,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`check-page: ${error && error.stack || error}\n`);
  process.exit(1);
});
