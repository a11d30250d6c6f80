/*
 * LuceneBench.java: Lucene (Debian's liblucene8-java) as an optional row of
 * bench/run.sh --lucene.  Java cannot share bench_compare's process, so
 * this program builds its own index and times its own rounds, in process,
 * writing the same files as bench_compare.
 *
 *   java LuceneBench build CORPUS.jsonl DIR
 *       One document per JSON Lines record: "id" (stored, and as doc values,
 *       which is how a search reads it), "text" (title and body as two values of one field, a gap of
 *       100 positions between them so no phrase crosses), "data" (title +
 *       "\n" + body stored, as the other engines keep the text).  Analysis:
 *       standard tokenizer, lowercase, Snowball English; no stopwords.
 *       BM25 (k1 1.2, b 0.75).  The index is merged into one segment.
 *   java LuceneBench search DIR QUERIES K ROUNDS WARMUPS SAMPLES IDS [SECONDS THREADS]
 *       Runs the neutral queries of gen_queries.py: WARMUPS untimed passes
 *       over the whole list (the first records statuses, ids and hit
 *       counts; the rest let the JIT compile the hot paths), then ROUNDS
 *       timed ones, each query's top K ids read from the stored "id" field.
 *       With SECONDS, a throughput pass follows: 1 thread, then THREADS,
 *       sharing one IndexSearcher (which is thread-safe).  Output as
 *       bench_compare's (engine, refused, throughput lines; samples and ids
 *       files).
 *
 * The queries: term TermQuery; and/or BooleanQuery of MUST/SHOULD clauses;
 * phrase PhraseQuery; near SpanNearQuery, unordered, slop = window - number
 * of words; prefix PrefixQuery scored as a boolean OR of its expansions
 * (Lucene's default rewrite would score every match 1.0; over 1,024
 * expansions it is refused, as stele refuses over its limit); not MUST a,
 * MUST_NOT b.  Every word is stemmed through the index's analyzer.
 */
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.custom.CustomAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MultiTermQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.search.spans.SpanNearQuery;
import org.apache.lucene.search.spans.SpanQuery;
import org.apache.lucene.search.spans.SpanTermQuery;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

public final class LuceneBench {
    private static final String FIELD = "text";

    private static Analyzer analyzer() throws IOException {
        return CustomAnalyzer.builder()
            .withTokenizer("standard")
            .addTokenFilter("lowercase")
            .addTokenFilter("snowballPorter", "language", "English")
            .withPositionIncrementGap(100)
            .build();
    }

    /* The string values of one JSON Lines record: the corpus holds objects
     * of strings only ({"id", "title", "body"}), so this small reader is
     * enough; anything else is an error. */
    private static Map<String, String> parseRecord(String line) {
        Map<String, String> out = new HashMap<>();
        int[] pos = {skip(line, 0)};
        expect(line, pos, '{');
        while (true) {
            pos[0] = skip(line, pos[0]);
            if (line.charAt(pos[0]) == '}') break;
            String key = string(line, pos);
            pos[0] = skip(line, pos[0]);
            expect(line, pos, ':');
            pos[0] = skip(line, pos[0]);
            out.put(key, string(line, pos));
            pos[0] = skip(line, pos[0]);
            if (line.charAt(pos[0]) == ',') pos[0]++;
        }
        return out;
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        if (i >= s.length()) throw new IllegalArgumentException("truncated record");
        return i;
    }

    private static void expect(String s, int[] pos, char c) {
        if (s.charAt(pos[0]) != c) throw new IllegalArgumentException("expected " + c);
        pos[0]++;
    }

    private static String string(String s, int[] pos) {
        StringBuilder b = new StringBuilder();
        expect(s, pos, '"');
        int i = pos[0];
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') break;
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
            case 'n': b.append('\n'); break;
            case 't': b.append('\t'); break;
            case 'r': b.append('\r'); break;
            case 'b': b.append('\b'); break;
            case 'f': b.append('\f'); break;
            case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
            default: b.append(e); break; /* \" \\ \/ */
            }
        }
        pos[0] = i;
        return b.toString();
    }

    private static int build(String corpus, String dir) throws IOException {
        Path tmp = Paths.get(dir + ".tmp");
        deleteTree(tmp);
        IndexWriterConfig cfg = new IndexWriterConfig(analyzer());
        cfg.setSimilarity(new BM25Similarity(1.2f, 0.75f));
        cfg.setRAMBufferSizeMB(64);
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        long n = 0;
        try (IndexWriter w = new IndexWriter(FSDirectory.open(tmp), cfg);
             BufferedReader in = Files.newBufferedReader(Paths.get(corpus), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) continue;
                Map<String, String> r = parseRecord(line);
                String title = r.getOrDefault("title", ""), body = r.getOrDefault("body", "");
                Document d = new Document();
                String id = r.getOrDefault("id", "");
                d.add(new StoredField("id", id));
                d.add(new BinaryDocValuesField("id", new BytesRef(id)));
                d.add(new TextField(FIELD, title, Field.Store.NO));
                d.add(new TextField(FIELD, body, Field.Store.NO));
                d.add(new StoredField("data", title + "\n" + body));
                w.addDocument(d);
                n++;
            }
            w.forceMerge(1);
            w.commit();
        }
        Path out = Paths.get(dir);
        deleteTree(out);
        Files.move(tmp, out);
        System.err.println("LuceneBench: " + n + " documents");
        return 0;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            List<Path> all = new ArrayList<>();
            walk.forEach(all::add);
            Collections.reverse(all);
            for (Path x : all) Files.delete(x);
        }
    }

    private static final class NeutralQuery {
        String cls, op;
        int param;
        String[] words;
    }

    private static String stem(Analyzer a, String word) throws IOException {
        try (TokenStream ts = a.tokenStream(FIELD, new StringReader(word))) {
            CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            String s = ts.incrementToken() ? t.toString() : word;
            ts.end();
            return s;
        }
    }

    private static Query build(Analyzer a, NeutralQuery q) throws IOException {
        if (q.op.equals("prefix")) {
            PrefixQuery p = new PrefixQuery(new Term(FIELD, q.words[0]));
            p.setRewriteMethod(MultiTermQuery.SCORING_BOOLEAN_REWRITE);
            return p;
        }
        String[] s = new String[q.words.length];
        for (int i = 0; i < s.length; i++) s[i] = stem(a, q.words[i]);
        switch (q.op) {
        case "term":
            return new TermQuery(new Term(FIELD, s[0]));
        case "and":
        case "or": {
            BooleanQuery.Builder b = new BooleanQuery.Builder();
            BooleanClause.Occur occ = q.op.equals("and") ? BooleanClause.Occur.MUST
                                                         : BooleanClause.Occur.SHOULD;
            for (String t : s) b.add(new TermQuery(new Term(FIELD, t)), occ);
            return b.build();
        }
        case "phrase":
            return new PhraseQuery(FIELD, s);
        case "near": {
            SpanQuery[] spans = new SpanQuery[s.length];
            for (int i = 0; i < s.length; i++) spans[i] = new SpanTermQuery(new Term(FIELD, s[i]));
            return new SpanNearQuery(spans, Math.max(0, q.param - s.length), false);
        }
        case "not": {
            BooleanQuery.Builder b = new BooleanQuery.Builder();
            b.add(new TermQuery(new Term(FIELD, s[0])), BooleanClause.Occur.MUST);
            b.add(new TermQuery(new Term(FIELD, s[1])), BooleanClause.Occur.MUST_NOT);
            return b.build();
        }
        default:
            throw new IllegalArgumentException("unknown op " + q.op);
        }
    }

    private static List<NeutralQuery> loadQueries(String path) throws IOException {
        List<NeutralQuery> out = new ArrayList<>();
        for (String line : Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8)) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            NeutralQuery q = new NeutralQuery();
            q.cls = f[0];
            q.op = f[1];
            q.param = f[2].isEmpty() ? 0 : Integer.parseInt(f[2]);
            q.words = f[3].split(" ");
            out.add(q);
        }
        return out;
    }

    /* One query: its top k, ids read from the "id" doc values (the stored
     * fields would decompress a block of stored text per hit).  The index
     * is one segment (forceMerge(1) at build time). */
    private static TopDocs run(IndexSearcher s, Analyzer a, NeutralQuery q, int k, List<String> ids)
        throws IOException {
        TopDocs top = s.search(build(a, q), k);
        LeafReader leaf = s.getIndexReader().leaves().get(0).reader();
        int[] docs = new int[top.scoreDocs.length];
        for (int i = 0; i < docs.length; i++) docs[i] = top.scoreDocs[i].doc;
        int[] order = docs.clone();
        java.util.Arrays.sort(order);
        Map<Integer, String> byDoc = new HashMap<>();
        BinaryDocValues dv = leaf.getBinaryDocValues("id");
        for (int d : order)
            if (dv != null && dv.advanceExact(d)) byDoc.put(d, dv.binaryValue().utf8ToString());
        if (ids != null)
            for (int d : docs) ids.add(byDoc.getOrDefault(d, "").replace('\t', ' ').replace('\n', ' '));
        return top;
    }

    private static int search(String[] args) throws IOException, InterruptedException {
        String dir = args[1];
        List<NeutralQuery> qs = loadQueries(args[2]);
        int k = Integer.parseInt(args[3]), rounds = Integer.parseInt(args[4]);
        int warmups = Integer.parseInt(args[5]);
        double seconds = args.length > 8 ? Double.parseDouble(args[8]) : 0;
        int threads = args.length > 9 ? Integer.parseInt(args[9]) : 1;
        Analyzer a = analyzer();
        DirectoryReader reader = DirectoryReader.open(FSDirectory.open(Paths.get(dir)));
        IndexSearcher s = new IndexSearcher(reader);
        s.setSimilarity(new BM25Similarity(1.2f, 0.75f));
        boolean[] refused = new boolean[qs.size()];
        java.lang.management.ThreadMXBean cpu =
            java.lang.management.ManagementFactory.getThreadMXBean();
        System.out.println("engine lucene");
        try (PrintWriter samples = new PrintWriter(Files.newBufferedWriter(Paths.get(args[6])));
             PrintWriter ids = new PrintWriter(Files.newBufferedWriter(Paths.get(args[7])))) {
            for (int w = 0; w < Math.max(1, warmups); w++) {
                for (int i = 0; i < qs.size(); i++) {
                    if (refused[i]) continue;
                    List<String> got = w == 0 ? new ArrayList<>() : null;
                    try {
                        TopDocs top = run(s, a, qs.get(i), k, got);
                        if (got != null)
                            ids.println("lucene\t" + i + "\t" + top.totalHits.value +
                                        (got.isEmpty() ? "" : "\t" + String.join("\t", got)));
                    } catch (BooleanQuery.TooManyClauses | IllegalArgumentException e) {
                        refused[i] = true;
                        System.out.println("refused lucene " + i + " " + e.getClass().getSimpleName());
                    }
                }
            }
            for (int r = 1; r <= rounds; r++) {
                for (int i = 0; i < qs.size(); i++) {
                    if (refused[i]) continue;
                    long c0 = cpu.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    run(s, a, qs.get(i), k, null);
                    long t1 = System.nanoTime();
                    long c1 = cpu.getCurrentThreadCpuTime();
                    samples.printf("lucene\t%d\t%d\t%.2f\t%.2f%n", i, r, (t1 - t0) / 1e3,
                                   (c1 - c0) / 1e3);
                }
            }
        }
        if (seconds > 0) {
            throughput(s, qs, refused, k, 1, seconds);
            if (threads > 1) throughput(s, qs, refused, k, threads, seconds);
        }
        reader.close();
        return 0;
    }

    private static void throughput(IndexSearcher s, List<NeutralQuery> qs, boolean[] refused, int k,
                                   int n, double seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean(false);
        AtomicLong done = new AtomicLong();
        Thread[] ts = new Thread[n];
        long t0 = System.nanoTime();
        for (int t = 0; t < n; t++) {
            final int start = t * qs.size() / n;
            ts[t] = new Thread(() -> {
                try {
                    Analyzer a = analyzer();
                    int i = start;
                    long mine = 0;
                    while (!stop.get()) {
                        i = (i + 1) % qs.size();
                        if (refused[i]) continue;
                        run(s, a, qs.get(i), k, null);
                        mine++;
                    }
                    done.addAndGet(mine);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ts[t].start();
        }
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread t : ts) t.join();
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("throughput lucene %d %d %.3f %.1f%n", n, done.get(), secs,
                          done.get() / secs);
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("build")) System.exit(build(args[1], args[2]));
        if (args.length >= 8 && args[0].equals("search")) System.exit(search(args));
        System.err.println("usage: LuceneBench build CORPUS.jsonl DIR\n"
                           + "       LuceneBench search DIR QUERIES K ROUNDS WARMUPS SAMPLES IDS"
                           + " [SECONDS THREADS]");
        System.exit(2);
    }
}
