/*
 * test_browser.js: the page `stele web` writes, in a real browser.
 *
 *   node test_browser.js STELE SRCDIR WORKDIR
 *
 * Debian's chromium (or $STELE_CHROMIUM), headless, driven by
 * playwright-core from web/node_modules (`npm ci --prefix web`; it never
 * downloads a browser).  Without either the test is skipped (exit 77)
 * with the reason.  Checks, each printed as it passes:
 *   - the single-file page opened from file:// finds 55/7 first for
 *     "naloxone" typed key by key, and puts ?q=naloxone in the address;
 *   - ?q=alternatives to imprisonment opens with 55/12 first;
 *   - the keyboard reaches the hits and opens a document at its matched
 *     paragraph, with focus there; Escape goes back to the hit;
 *   - a malformed query shows an error with its position;
 *   - the golden queries (tests/golden/queries.txt) give in the browser
 *     the same ids, order, paragraphs and snippets as `stele search --json`;
 *   - the directory form (-o DIR) works over HTTP.
 */
'use strict';
const { createRequire } = require('module');
const { execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const [stele, srcdir, workdir] = process.argv.slice(2);
if (!stele || !srcdir || !workdir) {
  console.error('usage: node test_browser.js STELE SRCDIR WORKDIR');
  process.exit(2);
}

function skip(why) {
  console.log('SKIP: ' + why);
  process.exit(77);
}

let chromium;
try {
  ({ chromium } = createRequire(path.resolve(srcdir, 'web', 'package.json'))('playwright-core'));
} catch (e) {
  skip('playwright-core is not installed (run: npm ci --prefix web)');
}
const browserPath = process.env.STELE_CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(browserPath)) skip(browserPath + ' not found (install Debian\'s chromium package)');

let failures = 0;
function check(cond, what, detail) {
  if (cond) {
    console.log('ok: ' + what);
  } else {
    failures++;
    console.log('FAIL: ' + what + (detail !== undefined ? ': ' + detail : ''));
  }
}

function fileUrl(p, query) {
  const u = new URL('file://' + path.resolve(p));
  if (query !== undefined) u.searchParams.set('q', query);
  return u.href;
}

/* `stele search --json` for every query: a map query -> hits. */
/* The CLI's JSON snippet is the text as written, with its highlights as
 * byte ranges: marked [like this] here, as the page's default marks are. */
function bracketed(h) {
  const b = Buffer.from(h.snippet, 'utf8');
  const parts = [];
  let at = 0;
  for (const [start, end] of h.highlights) {
    parts.push(b.subarray(at, start), Buffer.from('['), b.subarray(start, end), Buffer.from(']'));
    at = end;
  }
  parts.push(b.subarray(at));
  return Buffer.concat(parts).toString('utf8');
}

function cliAnswers(queries) {
  let out;
  try {
    out = execFileSync(stele, ['search', '--json', '-n', '10'], { input: queries.join('\n') + '\n' });
  } catch (e) {
    if (e.status !== 1) throw e; /* 1: some query found nothing */
    out = e.stdout;
  }
  const answers = new Map(queries.map((q) => [q, []]));
  for (const line of out.toString('utf8').split('\n')) {
    if (!line) continue;
    const hit = JSON.parse(line);
    answers.get(hit.query).push(hit);
  }
  return answers;
}

function serve(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url, 'http://x').pathname) || 'index.html';
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(name)] || 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function openPage(ctx, url) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  page.stelePageErrors = errors;
  return page;
}

const firstSymbol = (page) => page.locator('#hits a.hit .sym').first().textContent();

async function main() {
  fs.mkdirSync(workdir, { recursive: true });
  const single = path.join(workdir, 'page.html');
  const dir = path.join(workdir, 'site');
  try {
    execFileSync(stele, ['web', '--title', 'CND resolutions', '--single-file', single], { stdio: 'pipe' });
  } catch (e) {
    if (/built without its WebAssembly runtime/.test(String(e.stderr))) skip('this stele was built without stele.wasm');
    throw e;
  }
  execFileSync(stele, ['web', '-o', dir]);

  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'stele-chromium-'));
  const ctx = await chromium.launchPersistentContext(userData, {
    executablePath: browserPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    /* Typing, from file://. */
    let page = await openPage(ctx, fileUrl(single));
    check(await page.evaluate(() => document.activeElement.id) === 'q', 'the search box has focus on load');
    await page.locator('#q').pressSequentially('naloxone', { delay: 5 });
    await page.waitForFunction(() => document.querySelector('#q').value === 'naloxone');
    check(await firstSymbol(page) === '55/7', '"naloxone" typed: 55/7 first', await firstSymbol(page));
    check(new URL(page.url()).searchParams.get('q') === 'naloxone', 'the address gets ?q=naloxone', page.url());
    check(/match/.test(await page.locator('#status').textContent()), 'the status line counts the matches');
    check(await page.locator('#hits mark').count() > 0, 'the snippet marks the matched word');
    check(await page.locator('form[role="search"]').count() === 1 &&
          await page.locator('[role="status"][aria-live="polite"]').count() === 1,
          'ARIA: a search landmark and a live status');
    check(page.stelePageErrors.length === 0, 'no script errors', page.stelePageErrors.join('; '));
    await page.close();

    /* ?q= on load, then the keyboard into a document and back. */
    page = await openPage(ctx, fileUrl(single, 'alternatives to imprisonment'));
    check(await firstSymbol(page) === '55/12', '?q=alternatives to imprisonment: 55/12 first', await firstSymbol(page));
    check(await page.inputValue('#q') === 'alternatives to imprisonment', '?q= fills the search box');
    await page.focus('#q');
    await page.keyboard.press('ArrowDown');
    check(await page.evaluate(() => document.activeElement.dataset.index) === '0', 'ArrowDown focuses the first hit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#doc:not([hidden])');
    check((await page.locator('#doc-title').textContent()).startsWith('55/12 '), 'Enter opens 55/12');
    const focused = await page.evaluate(() => ({
      cls: document.activeElement.className, text: document.activeElement.textContent }));
    check(focused.cls === 'matched' && /alternatives to imprisonment/i.test(focused.text),
          'the document opens with focus on the matched paragraph', JSON.stringify(focused));
    check(await page.locator('#results').isHidden(), 'the hit list is hidden behind the document');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#doc', { state: 'hidden' });
    check(await page.locator('#doc').isHidden() &&
          await page.evaluate(() => document.activeElement.dataset.index) === '0',
          'Escape returns to the hit it came from');
    /* A touch or click on the second hit of a wider query. */
    await page.fill('#q', 'prison');
    await page.locator('#hits a.hit').nth(1).click();
    const second = await page.evaluate(() => window.stele.engine.search('prison', 2, 0).hits[1].id);
    check((await page.locator('#doc-title').textContent()).startsWith(second + ' '),
          'clicking the second hit opens its document', second);
    await page.click('#back');
    await page.waitForSelector('#doc', { state: 'hidden' });
    check(await page.locator('#results').isVisible(), 'the back button shows the hits again');
    /* The browser's own Back closes a document and keeps the page. */
    await page.locator('#hits a.hit').first().click();
    await page.waitForSelector('#doc:not([hidden])');
    await page.goBack();
    await page.waitForSelector('#doc', { state: 'hidden' });
    check(await page.locator('#results').isVisible() && new URL(page.url()).searchParams.get('q') === 'prison',
          'the browser\'s Back closes the document and stays on the hits', page.url());
    /* Typing while a document is open shows the new hits. */
    await page.locator('#hits a.hit').first().click();
    await page.waitForSelector('#doc:not([hidden])');
    await page.fill('#q', 'naloxone');
    check(await page.locator('#doc').isHidden() && await firstSymbol(page) === '55/7',
          'typing while a document is open shows the new hits');
    /* A malformed query. */
    await page.fill('#q', 'women "prison');
    check(await page.locator('#status.error').count() === 1 &&
          /character \d+/.test(await page.locator('#status').textContent()),
          'a malformed query shows an error with its position', await page.locator('#status').textContent());
    check(await page.locator('#hits li').count() === 0, 'no hits are shown for a malformed query');

    /* The golden queries: the browser's answers against the CLI's. */
    const queries = fs.readFileSync(path.join(srcdir, 'tests', 'golden', 'queries.txt'), 'utf8')
      .split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    const cli = cliAnswers(queries);
    const web = await page.evaluate((qs) => qs.map((q) => window.stele.engine.search(q, 10, 0)), queries);
    let same = 0;
    queries.forEach((q, i) => {
      const want = cli.get(q).map((h) => [h.rank, h.id, h.doc, h.para, bracketed(h)]);
      const got = (web[i].hits || []).map((h) => [h.rank, h.id, h.doc, h.paraName, h.snippet]);
      if (JSON.stringify(want) === JSON.stringify(got)) same++;
      else check(false, 'golden query ' + JSON.stringify(q), '\n  cli: ' + JSON.stringify(want) + '\n  web: ' + JSON.stringify(got));
    });
    check(same === queries.length && queries.length > 20,
          'golden queries: ' + same + ' of ' + queries.length + ' give the CLI\'s ids, order, paragraphs and snippets');
    check(queries.some((q) => cli.get(q).length > 1), 'the golden queries include multi-hit answers');
    await page.close();

    /* The directory form from file:// cannot fetch its files: it says so. */
    page = await ctx.newPage();
    await page.goto(fileUrl(path.join(dir, 'index.html')));
    await page.waitForFunction(() => /not available/.test(document.getElementById('status').textContent));
    check(/--single-file/.test(await page.locator('#status').textContent()) && await page.locator('#q').isDisabled(),
          'the -o DIR page opened from file:// explains why it cannot search', await page.locator('#status').textContent());
    await page.close();

    /* The directory form, over HTTP. */
    const server = await serve(dir);
    try {
      page = await openPage(ctx, 'http://127.0.0.1:' + server.address().port + '/index.html?q=naloxone');
      check(await firstSymbol(page) === '55/7', 'the -o DIR page over HTTP: 55/7 first for naloxone');
      await page.close();
    } finally {
      server.close();
    }
  } finally {
    await ctx.close();
    fs.rmSync(userData, { recursive: true, force: true });
  }
  if (failures) {
    console.log(failures + ' check(s) failed');
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
