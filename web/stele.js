/*
 * stele.js: the JavaScript side of stele in a browser.  Two parts:
 *
 * SteleEngine wraps stele.wasm (web/stele_web.c): it copies the index
 * into the module's memory, opens it, and answers search(query) with
 * plain objects, snippets included.  It works the same in a page and in
 * node, and holds no DOM code.
 *
 * steleStartPage() runs the page (web/page.html): it finds the wasm and
 * the index either embedded in the page (base64, the single-file form
 * that works from file:// with no server) or beside it (fetched, the
 * directory form for a web server), then wires up search-as-you-type, the
 * hit list, the document view and the ?q= parameter.
 *
 * Strings cross into wasm as UTF-8 bytes in the module's query buffer and
 * come back as (pointer, length) pairs decoded with TextDecoder.
 */
'use strict';

const STELE_HIT = { DOC: 0, PARA: 1, PARA_KIND: 2, PARA_NUMBER: 3, ID_PTR: 4, ID_LEN: 5, TITLE_PTR: 6, TITLE_LEN: 7 };
const STELE_MARK = { BRACKETS: 0, CONTROL: 1 };
/* Paragraph kinds (enum stele_para_kind) as the CLI names them. */
const STELE_PARA_NAMES = ['title', 'preambular para', 'operative para', 'footnote', 'text', 'heading', 'field'];
const STELE_PARA_TOKENS = ['title', 'preamble', 'operative', 'footnote', 'text', 'heading', 'field'];
const STELE_ESYNTAX = -4;
const STELE_ELIMIT = -5;

class SteleEngine {
  /* wasmBytes, indexBytes: ArrayBuffer or typed arrays. */
  static async create(wasmBytes, indexBytes) {
    const { instance } = await WebAssembly.instantiate(wasmBytes, {});
    return new SteleEngine(instance, indexBytes);
  }

  constructor(instance, indexBytes) {
    this.x = instance.exports;
    if (this.x._initialize) this.x._initialize();
    this.encoder = new TextEncoder();
    this.decoder = new TextDecoder('utf-8');
    const bytes = indexBytes instanceof Uint8Array ? indexBytes : new Uint8Array(indexBytes);
    const ptr = this.x.web_alloc(bytes.length);
    if (!ptr) throw new Error('stele: out of memory for an index of ' + bytes.length + ' bytes');
    new Uint8Array(this.x.memory.buffer, ptr, bytes.length).set(bytes);
    const rc = this.x.web_open(ptr, bytes.length);
    if (rc !== 0) throw new Error('stele: cannot open the index: ' + this.cstring(this.x.web_strerror(rc)));
    this.nDocs = this.x.web_doc_count();
  }

  text(ptr, len) {
    if (!ptr || !len) return '';
    return this.decoder.decode(new Uint8Array(this.x.memory.buffer, ptr, len));
  }

  cstring(ptr) {
    const mem = new Uint8Array(this.x.memory.buffer);
    let end = ptr;
    while (mem[end]) end++;
    return this.decoder.decode(mem.subarray(ptr, end));
  }

  /*
   * Runs query and returns { hits, nMatches, exact } or { error, offset }
   * (exact: nMatches is the count, not a lower bound);
   * offset is the error's position in characters of query (the runtime
   * counts bytes).  Each hit has rank, doc, id, title, score, para (the
   * paragraph's index in the document), paraKind, paraNumber, paraName
   * ("operative para 3") and snippet; marks picks how matched words are
   * marked (STELE_MARK).
   */
  search(query, maxHits, marks) {
    const cap = this.x.web_query_cap();
    const buf = new Uint8Array(this.x.memory.buffer, this.x.web_query_buf(), cap);
    const { written } = this.encoder.encodeInto(query, buf);
    if (written < this.encoder.encode(query).length) return { error: 'query too long', offset: 0 };
    const rc = this.x.web_search(written, maxHits);
    if (rc !== 0) {
      let msg = this.cstring(this.x.web_strerror(rc));
      let offset = 0;
      if (rc === STELE_ESYNTAX || rc === STELE_ELIMIT) {
        msg = this.cstring(this.x.web_err_reason()); /* "unclosed quote" */
        const bytes = this.x.web_err_offset();
        offset = this.decoder.decode(buf.slice(0, Math.min(bytes, written))).length;
      }
      return { error: msg, offset, code: rc };
    }
    const n = this.x.web_n_hits();
    const hits = [];
    for (let i = 0; i < n; i++) {
      const f = (which) => this.x.web_hit(i, which);
      const kind = f(STELE_HIT.PARA_KIND);
      const number = f(STELE_HIT.PARA_NUMBER);
      const name = STELE_PARA_NAMES[kind] || 'paragraph';
      const hit = {
        rank: i + 1,
        doc: f(STELE_HIT.DOC),
        id: this.text(f(STELE_HIT.ID_PTR), f(STELE_HIT.ID_LEN)),
        title: this.text(f(STELE_HIT.TITLE_PTR), f(STELE_HIT.TITLE_LEN)),
        score: this.x.web_hit_score(i),
        para: f(STELE_HIT.PARA),
        paraKind: STELE_PARA_TOKENS[kind] || 'unknown',
        paraNumber: number || null,
        paraName: number && kind !== 0 ? name + ' ' + number : name,
        snippet: '',
      };
      if (this.x.web_snippet(i, marks) === 0) hit.snippet = this.text(this.x.web_out_ptr(), this.x.web_out_len());
      hits.push(hit);
    }
    return { hits, nMatches: this.x.web_n_matches(), exact: this.x.web_matches_exact() !== 0 };
  }

  /* Document doc: { id, title, paragraphs } (the stored text's lines). */
  document(doc) {
    const rc = this.x.web_doc_text(doc);
    if (rc !== 0) throw new Error('stele: document ' + doc + ': ' + this.cstring(this.x.web_strerror(rc)));
    const text = this.text(this.x.web_out_ptr(), this.x.web_out_len());
    const f = (which) => this.x.web_doc_field(doc, which);
    return {
      id: this.text(f(STELE_HIT.ID_PTR), f(STELE_HIT.ID_LEN)),
      title: this.text(f(STELE_HIT.TITLE_PTR), f(STELE_HIT.TITLE_LEN)),
      paragraphs: text.split('\n'),
    };
  }
}

/* --- The page. --- */

function steleBase64(text) {
  const bin = atob(text.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/* The bytes of an embedded <script type="application/octet-stream"
 * id=name> (base64), or of the file beside the page. */
async function steleAsset(name, file) {
  const el = document.getElementById(name);
  if (el && el.textContent.trim()) return steleBase64(el.textContent);
  let res;
  try {
    res = await fetch(file);
  } catch (e) {
    if (window.location.protocol === 'file:')
      throw new Error('this page loads ' + file + ' from beside it, which browsers refuse for file:// pages; ' +
                      'serve the directory with a web server, or write one page with stele web --single-file');
    throw e;
  }
  if (!res.ok) throw new Error(file + ': HTTP ' + res.status);
  return new Uint8Array(await res.arrayBuffer());
}

function steleEscape(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/* Snippet text with STX/ETX markers -> HTML with <mark>. */
function steleMarkup(snippet) {
  return steleEscape(snippet).replace(/\x02/g, '<mark>').replace(/\x03/g, '</mark>');
}

async function steleStartPage() {
  const $ = (id) => document.getElementById(id);
  const box = $('q');
  const list = $('hits');
  const status = $('status');
  const results = $('results');
  const docView = $('doc');
  const maxHits = 20;
  const t0 = performance.now();
  let engine;
  try {
    engine = await SteleEngine.create(await steleAsset('stele-wasm', 'stele.wasm'),
                                      await steleAsset('stele-index', 'index.stele'));
  } catch (e) {
    status.textContent = 'Search is not available: ' + e.message;
    return;
  }
  const timing = { loadMs: performance.now() - t0, searches: [] };
  window.stele = { engine, timing };
  box.disabled = false;
  box.placeholder = 'Search ' + engine.nDocs + ' documents';
  let current = [];
  let lastQuery = null;

  function setUrl(q) {
    const url = new URL(window.location.href);
    if (q) url.searchParams.set('q', q);
    else url.searchParams.delete('q');
    try {
      history.replaceState(null, '', url.href);
    } catch (e) {
      /* Some browsers refuse history changes on file:// pages; the
       * search still works, only the address bar stays behind. */
    }
  }

  function render(q) {
    const t = performance.now();
    list.replaceChildren();
    current = [];
    if (!q.trim()) {
      status.textContent = '';
      return;
    }
    const r = engine.search(q, maxHits, STELE_MARK.CONTROL);
    timing.searches.push(performance.now() - t);
    if (r.error) {
      status.textContent = r.error + ' (at character ' + (r.offset + 1) + ')';
      status.className = 'error';
      return;
    }
    status.className = '';
    current = r.hits;
    if (r.hits.length === 0) {
      status.textContent = 'No documents match.';
      return;
    }
    // A lower bound when ranking skipped documents that could not reach
    // the top without counting them.
    const count = r.exact ? String(r.nMatches) : 'At least ' + r.nMatches;
    status.textContent = r.exact && r.nMatches === 1 ? '1 document matches.'
      : r.nMatches > r.hits.length || !r.exact ? count + ' documents match; the best ' + r.hits.length + ' are shown.'
      : count + ' documents match.';
    r.hits.forEach((h, i) => {
      const li = document.createElement('li');
      li.setAttribute('role', 'listitem');
      const a = document.createElement('a');
      a.className = 'hit';
      a.href = '#doc-' + h.doc;
      a.dataset.index = String(i);
      a.innerHTML = '<span class="sym">' + steleEscape(h.id) + '</span> ' +
        '<span class="title">' + steleEscape(h.title) + '</span>' +
        '<span class="para">' + steleEscape(h.paraName) + '</span>' +
        (h.snippet ? '<span class="snippet">' + steleMarkup(h.snippet) + '</span>' : '');
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        openDoc(i);
      });
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  function search() {
    const q = box.value;
    if (q === lastQuery) return;
    lastQuery = q;
    if (!docView.hidden) {
      /* Typing while a document is open: show the new hits. */
      docView.hidden = true;
      results.hidden = false;
    }
    render(q);
    setUrl(q);
  }

  function openDoc(i) {
    const h = current[i];
    const d = engine.document(h.doc);
    $('doc-title').textContent = d.id + ' ' + d.title;
    const body = $('doc-body');
    body.replaceChildren();
    let target = null;
    d.paragraphs.forEach((p, k) => {
      const el = document.createElement('p');
      el.textContent = p;
      el.id = 'para-' + k;
      if (k === h.para) {
        el.className = 'matched';
        el.tabIndex = -1;
        target = el;
      }
      body.appendChild(el);
    });
    results.hidden = true;
    docView.hidden = false;
    docView.dataset.hit = String(i);
    (target || $('doc-title')).focus();
    if (target) target.scrollIntoView({ block: 'center' });
    /* A history entry, so the browser's Back (a swipe on a touch screen)
     * returns to the hits instead of leaving the page. */
    try {
      const url = new URL(window.location.href);
      url.hash = 'doc';
      history.pushState({ steleHit: i }, '', url.href);
    } catch (e) {
      /* No history on this page: the Back button and Escape still work. */
    }
  }

  const inDocEntry = (state) => Boolean(state && typeof state.steleHit === 'number');

  /* Back to the hits, focus on the one the document came from. */
  function leaveDoc() {
    const i = Number(docView.dataset.hit || 0);
    docView.hidden = true;
    results.hidden = false;
    const link = list.querySelector('a[data-index="' + i + '"]');
    (link || box).focus();
  }

  function closeDoc() {
    if (inDocEntry(history.state)) history.back(); /* popstate calls leaveDoc */
    else leaveDoc();
  }

  window.addEventListener('popstate', (ev) => {
    if (!docView.hidden && !inDocEntry(ev.state)) leaveDoc();
  });

  box.addEventListener('input', search);
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || (ev.key === 'Enter' && current.length)) {
      const first = list.querySelector('a.hit');
      if (first) {
        ev.preventDefault();
        if (ev.key === 'Enter') openDoc(0);
        else first.focus();
      }
    } else if (ev.key === 'Escape') {
      box.value = '';
      search();
    }
  });
  list.addEventListener('keydown', (ev) => {
    const a = ev.target.closest('a.hit');
    if (!a) return;
    const i = Number(a.dataset.index);
    const links = list.querySelectorAll('a.hit');
    if (ev.key === 'ArrowDown' && i + 1 < links.length) {
      ev.preventDefault();
      links[i + 1].focus();
    } else if (ev.key === 'ArrowUp') {
      ev.preventDefault();
      (i > 0 ? links[i - 1] : box).focus();
    } else if (ev.key === 'Escape') {
      box.focus();
    }
  });
  $('back').addEventListener('click', closeDoc);
  docView.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeDoc();
  });
  document.getElementById('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    search();
  });

  const q = new URLSearchParams(window.location.search).get('q');
  if (q) box.value = q;
  search();
  /* Since the start of navigation, and since this script started. */
  timing.firstResultAt = performance.now();
  timing.firstResultMs = timing.firstResultAt - t0;
  box.focus();
  document.body.dataset.ready = 'true';
}

if (typeof module !== 'undefined' && module.exports) {
  module.exports = { SteleEngine, STELE_MARK };
} else if (typeof document !== 'undefined') {
  document.addEventListener('DOMContentLoaded', steleStartPage);
}
