/*
 * bench.js: the search page's speed in headless Chromium (a benchmark,
 * not a test: it asserts nothing).
 *
 *   node web/bench.js STELE INDEX [--runs N] [--screenshot PAGE.png] QUERY...
 *
 * Writes the page for INDEX with `stele web --single-file` into a
 * temporary directory and measures, in Debian's chromium (or
 * $STELE_CHROMIUM) with playwright-core from web/node_modules:
 *
 *   first result: from the start of navigation to ?q=QUERY1 until the
 *     hits are in the page (HTML parse with the base64 wasm and index,
 *     decoding, instantiating, opening the index, the first search and
 *     its rendering), over N fresh page loads;
 *   per keystroke: every QUERY typed a character at a time into the
 *     search box; each step is the time from the input event to the new
 *     hits laid out (search, snippets, DOM update and a forced layout; the
 *     paint follows at the next frame), and the search alone (engine and
 *     DOM building, as the page records it).  One animation frame passes
 *     between keystrokes, as between a person's.
 *
 * Prints medians, 90th percentiles and maxima in milliseconds.  With
 * --screenshot, also saves the page after QUERY1 as a PNG.
 */
'use strict';
const { createRequire } = require('module');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
let runs = 5;
let shot = null;
const rest = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--screenshot') shot = args[++i];
  else rest.push(args[i]);
}
const [stele, index, ...queries] = rest;
if (!stele || !index || queries.length === 0) {
  console.error('usage: node web/bench.js STELE INDEX [--runs N] [--screenshot PAGE.png] QUERY...');
  process.exit(2);
}
const { chromium } = createRequire(path.join(__dirname, 'package.json'))('playwright-core');

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: at(0.5), p90: at(0.9), max: s[s.length - 1] };
}
const fmt = (st) => `median ${st.median.toFixed(1)}  p90 ${st.p90.toFixed(1)}  max ${st.max.toFixed(1)}  (n=${st.n})`;

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stele-bench-'));
  const page = path.join(tmp, 'page.html');
  execFileSync(stele, ['web', '-i', index, '--title', 'CND resolutions', '--single-file', page]);
  const url = new URL('file://' + page);
  url.searchParams.set('q', queries[0]);
  const ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: process.env.STELE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1000, height: 720 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const first = [];
    const open = [];
    let p;
    for (let r = 0; r < runs; r++) {
      p = await ctx.newPage();
      await p.goto(url.href);
      await p.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
      const t = await p.evaluate(() => window.stele.timing);
      first.push(t.firstResultAt);
      open.push(t.loadMs);
      if (r + 1 < runs) await p.close();
    }
    if (shot) await p.screenshot({ path: shot });
    const steps = await p.evaluate(async (qs) => {
      const box = document.getElementById('q');
      const frame = () => new Promise((res) => requestAnimationFrame(() => res()));
      const out = { total: [], search: [] };
      for (const q of qs) {
        box.value = '';
        box.dispatchEvent(new Event('input'));
        await frame();
        for (let i = 1; i <= q.length; i++) {
          const before = window.stele.timing.searches.length;
          const t0 = performance.now();
          box.value = q.slice(0, i);
          box.dispatchEvent(new Event('input'));
          void document.getElementById('hits').getBoundingClientRect().height;
          out.total.push(performance.now() - t0);
          await frame();
          if (window.stele.timing.searches.length > before) out.search.push(window.stele.timing.searches[before]);
        }
      }
      return out;
    }, queries);
    const size = fs.statSync(page).size;
    console.log(`index ${fs.statSync(index).size} bytes, page ${size} bytes`);
    console.log(`first result after navigation (ms): ${fmt(stats(first))}`);
    console.log(`  of which wasm + index load (ms):  ${fmt(stats(open))}`);
    console.log(`per keystroke, input to layout (ms): ${fmt(stats(steps.total))}`);
    console.log(`per keystroke, search alone (ms):   ${fmt(stats(steps.search))}`);
  } finally {
    await ctx.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
