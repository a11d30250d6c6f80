/*
 * test_wasm_node.js: stele.wasm and web/stele.js without a browser.
 *
 *   node test_wasm_node.js STELE STELE.WASM INDEX SRCDIR
 *
 * Runs in node wherever node is installed, so the glue is checked even
 * where chromium is not (test_browser.js covers the page):
 *   - every golden query (tests/golden/queries.txt) gives the hits of
 *     `stele search --json -i INDEX` (ids, documents, order, paragraphs,
 *     snippets) and the same number of matches;
 *   - malformed and over-long queries give the error the CLI reports: the
 *     same byte offset and reason;
 *   - the document view's paragraph for each hit (the stored text split
 *     at "\n", indexed by the hit's para) holds the snippet's text;
 *   - a damaged index is refused with an error, not a crash.
 */
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const [stele, wasmPath, indexPath, srcdir] = process.argv.slice(2);
if (!srcdir) {
  console.error('usage: node test_wasm_node.js STELE STELE.WASM INDEX SRCDIR');
  process.exit(2);
}
const { SteleEngine, STELE_MARK } = require(path.resolve(srcdir, 'web', 'stele.js'));

let failures = 0;
function check(cond, what, detail) {
  if (cond) console.log('ok: ' + what);
  else {
    failures++;
    console.log('FAIL: ' + what + (detail !== undefined ? ': ' + detail : ''));
  }
}

function cliHits(queries) {
  const r = spawnSync(stele, ['search', '-i', indexPath, '--json', '-n', '10'],
    { input: queries.join('\n') + '\n' });
  if (r.status !== 0 && r.status !== 1) throw new Error('stele search failed: ' + r.stderr);
  const answers = new Map(queries.map((q) => [q, []]));
  for (const line of r.stdout.toString('utf8').split('\n'))
    if (line) answers.get(JSON.parse(line).query).push(JSON.parse(line));
  return answers;
}

/* The byte offset and reason `stele search` reports for a bad query, or
 * null. */
function cliError(query) {
  const r = spawnSync(stele, ['search', '-i', indexPath, '--', query]);
  const m = /bad query at byte (\d+): ([^\n]*)/.exec(r.stderr.toString());
  return r.status === 2 && m ? { offset: Number(m[1]), reason: m[2] } : null;
}

/* The CLI's JSON snippet is the text as written, with its highlights as
 * byte ranges: marked [like this] here, as the page's BRACKETS marks do. */
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

async function main() {
  const wasm = fs.readFileSync(wasmPath);
  const index = fs.readFileSync(indexPath);
  const engine = await SteleEngine.create(wasm, index);

  const queries = fs.readFileSync(path.join(srcdir, 'tests', 'golden', 'queries.txt'), 'utf8')
    .split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const cli = cliHits(queries);
  let same = 0;
  for (const q of queries) {
    const want = cli.get(q).map((h) => [h.rank, h.id, h.doc, h.para, h.para_kind, h.para_number, bracketed(h)]);
    const r = engine.search(q, 10, STELE_MARK.BRACKETS);
    const got = (r.hits || []).map((h) => [h.rank, h.id, h.doc, h.paraName, h.paraKind, h.paraNumber, h.snippet]);
    if (JSON.stringify(want) === JSON.stringify(got)) same++;
    else check(false, 'golden query ' + JSON.stringify(q), '\n  cli: ' + JSON.stringify(want) + '\n  web: ' + JSON.stringify(got));
    /* Scores agree to the CLI's 10 significant digits. */
    (r.hits || []).forEach((h, i) => {
      const c = cli.get(q)[i];
      if (c && Math.abs(c.score - h.score) > 1e-9 * Math.max(1, Math.abs(c.score)))
        check(false, 'score of ' + h.id + ' for ' + JSON.stringify(q), c.score + ' vs ' + h.score);
    });
  }
  check(same === queries.length && queries.length > 20,
        same + ' of ' + queries.length + ' golden queries give the CLI\'s hits and snippets');

  /* The document view: each hit's paragraph holds its snippet. */
  let paras = 0, parasOk = 0;
  for (const q of queries) {
    const r = engine.search(q, 10, STELE_MARK.CONTROL);
    for (const h of r.hits || []) {
      paras++;
      const p = engine.document(h.doc).paragraphs[h.para] || '';
      const pieces = h.snippet.replace(/[\x02\x03]/g, '').split('…').filter((s) => s.trim());
      if (pieces.length && pieces.every((s) => p.includes(s))) parasOk++;
      else check(false, 'paragraph ' + h.para + ' of ' + h.id + ' holds the snippet', JSON.stringify([h.snippet, p]));
    }
  }
  check(paras > 30 && paras === parasOk, 'every hit\'s paragraph in the document view holds its snippet (' + parasOk + ')');
  const d = engine.document(cli.get('55/12')[0].doc);
  check(d.id === '55/12' && d.title.startsWith('Alternatives to imprisonment'), 'document() gives id and title');

  /* Errors at the CLI's offsets. */
  const bad = ['women "prison', '(treatment OR', 'OR', 'NEAR(rehab* prison)', 'title:', 'ratio:2',
               'drugs OR', '""', '('.repeat(40) + 'a' + ')'.repeat(40), 'a NEAR/100001 b',
               'x'.repeat(65537)];
  for (const q of bad) {
    const r = engine.search(q, 10, STELE_MARK.BRACKETS);
    const want = cliError(q);
    check(want !== null && r.offset === want.offset && r.error === want.reason,
          'bad query ' + JSON.stringify(q.length > 30 ? q.slice(0, 30) + '…' : q) + ' fails as in the CLI: ' +
          JSON.stringify(want), JSON.stringify(r));
  }
  /* Long queries within the limits run as in the CLI. */
  const long = ['drug '.repeat(300), 'treatment '.repeat(200) + 'prison', 'a'.repeat(70) + ' naloxone'];
  const cliLong = cliHits(long);
  for (const q of long) {
    const r = engine.search(q, 10, STELE_MARK.BRACKETS);
    check(!r.error && JSON.stringify(r.hits.map((h) => h.id)) === JSON.stringify(cliLong.get(q).map((h) => h.id)),
          'a long query of ' + q.length + ' bytes gives the CLI\'s hits', JSON.stringify(r).slice(0, 200));
  }
  const huge = engine.search('x'.repeat(70000), 10, STELE_MARK.BRACKETS);
  check(huge.error === 'query too long', 'a query longer than the glue\'s buffer is refused', JSON.stringify(huge));
  check(engine.search('naloxone', 10, 0).hits[0].id === '55/7', 'searching still works after errors');

  /* A damaged index: an error from create(), never a crash. */
  const broken = Buffer.from(index);
  broken[broken.length >> 1] ^= 0xff;
  let msg = '';
  try {
    await SteleEngine.create(wasm, broken);
  } catch (e) {
    msg = e.message;
  }
  check(/cannot open the index/.test(msg), 'a damaged index is refused', msg);
  check(engine.search('naloxone', 10, 0).hits[0].id === '55/7', 'another module instance is unaffected');

  if (failures) {
    console.log(failures + ' check(s) failed');
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
