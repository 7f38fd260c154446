package io.facerec.clusterer.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * Nearest assigned faces by cosine similarity: a Lucene HNSW vector index of L2-normalised embeddings (dot product),
 * each entry carrying its face and person id as doc values. In memory, or persisted in a folder together with the
 * fingerprint of the database state it reflects ({@link #fingerprint()}), so that a restart only reconciles what
 * changed instead of rebuilding the graph (which takes minutes per 100k faces on two cores).
 *
 * <p>Not thread-safe for writers: the clusterer is its only writer. {@link #upsertAll} indexes in parallel (one HNSW
 * graph per indexing thread, searched together).
 */
public final class FaceVectorIndex implements FaceIndex {
    private static final String FACE_KEY = "face";
    private static final String FACE = "face_id";
    private static final String PERSON = "person_id";
    private static final String VECTOR = "v";
    private static final String FINGERPRINT = "facerec.fingerprint";

    /** HNSW links per node (Lucene's default) and candidate list while linking: measured recall in AssignmentBench. */
    static final int MAX_CONN = 16;
    static final int BEAM_WIDTH = 100;

    /**
     * Candidates explored per search (HNSW's ef): with only k the recall of the nearest person falls to ~0.74 at 100k
     * faces; 100 keeps it near exact (AssignmentBench).
     */
    static final int SEARCH_BREADTH = 100;

    private final Directory dir;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    /** Changes not committed yet. */
    private boolean dirty;
    /** Changes searches do not see yet. */
    private boolean stale;

    /** @param folder where to persist the index; null keeps it in memory */
    public FaceVectorIndex(Path folder) {
        try {
            this.dir = folder == null ? new ByteBuffersDirectory() : FSDirectory.open(folder);
            IndexWriterConfig cfg = new IndexWriterConfig();
            cfg.setCodec(new Lucene912Codec() {
                @Override
                public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                    return new Lucene99HnswVectorsFormat(MAX_CONN, BEAM_WIDTH);
                }
            });
            // large segments: every segment is one more graph to search per query
            cfg.setRAMBufferSizeMB(1024);
            cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
            this.writer = new IndexWriter(dir, cfg);
            this.searchers = new SearcherManager(writer, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the face index" + (folder == null ? "" : " in " + folder), e);
        }
    }

    private static Document document(long faceId, long personId, float[] embedding) {
        Document d = new Document();
        d.add(new StringField(FACE_KEY, Long.toString(faceId), Field.Store.NO));
        d.add(new NumericDocValuesField(FACE, faceId));
        d.add(new NumericDocValuesField(PERSON, personId));
        d.add(new KnnFloatVectorField(VECTOR, embedding, VectorSimilarityFunction.DOT_PRODUCT));
        return d;
    }

    /** Adds or replaces a face. */
    @Override
    public void upsert(long faceId, long personId, float[] embedding) {
        try {
            writer.updateDocument(new Term(FACE_KEY, Long.toString(faceId)), document(faceId, personId, embedding));
            dirty = true;
            stale = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds or replaces many faces, indexing on {@code threads} threads at once. */
    @Override
    public void upsertAll(List<Entry> entries, int threads) {
        if (entries.isEmpty()) {
            return;
        }
        int n = Math.max(1, Math.min(threads, entries.size() / 1000 + 1));
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < n; t++) {
            int from = (int) ((long) entries.size() * t / n);
            int to = (int) ((long) entries.size() * (t + 1) / n);
            Thread w = new Thread(() -> {
                try {
                    for (Entry e : entries.subList(from, to)) {
                        writer.updateDocument(new Term(FACE_KEY, Long.toString(e.faceId())),
                                document(e.faceId(), e.personId(), e.embedding()));
                    }
                } catch (IOException | RuntimeException ex) {
                    failures.add(ex);
                }
            }, "face-index-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while indexing faces", ex);
            }
        }
        dirty = true;
        stale = true;
        if (!failures.isEmpty()) {
            Throwable f = failures.get(0);
            throw f instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) f;
        }
    }

    @Override
    public void remove(long faceId) {
        try {
            writer.deleteDocuments(new Term(FACE_KEY, Long.toString(faceId)));
            dirty = true;
            stale = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void clear() {
        try {
            writer.deleteAll();
            dirty = true;
            stale = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes every change visible to searches and durable when persisted, recording the fingerprint of the database
     * state the index now reflects (null: unknown, the next {@link #fingerprint()} is null).
     */
    @Override
    public void commit(String fingerprint) {
        try {
            String before = fingerprint();
            if (dirty || !java.util.Objects.equals(before, fingerprint)) {
                writer.setLiveCommitData(fingerprint == null ? Map.<String, String>of().entrySet()
                        : Map.of(FINGERPRINT, fingerprint).entrySet());
                writer.commit();
                dirty = false;
            }
            refresh();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when changes were made since the last commit. */
    @Override
    public boolean hasUncommittedChanges() {
        return dirty;
    }

    /** Lets searches see every change so far (near-real-time: no commit needed). */
    private void refresh() throws IOException {
        if (stale) {
            searchers.maybeRefreshBlocking();
            stale = false;
        }
    }

    /** The fingerprint given to the last {@link #commit(String)}, also after a restart; null when none. */
    @Override
    public String fingerprint() {
        Iterable<Map.Entry<String, String>> data = writer.getLiveCommitData();
        if (data != null) {
            for (Map.Entry<String, String> e : data) {
                if (e.getKey().equals(FINGERPRINT)) {
                    return e.getValue();
                }
            }
        }
        return null;
    }

    /** Every indexed face and its person. */
    @Override
    public Map<Long, Long> assignments() {
        Map<Long, Long> out = new HashMap<>();
        try {
            refresh();
            IndexSearcher s = searchers.acquire();
            try {
                for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                    LeafReader r = leaf.reader();
                    Bits live = r.getLiveDocs();
                    NumericDocValues face = r.getNumericDocValues(FACE);
                    NumericDocValues person = r.getNumericDocValues(PERSON);
                    if (face == null || person == null) {
                        continue;
                    }
                    for (int doc = face.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = face.nextDoc()) {
                        if ((live == null || live.get(doc)) && person.advanceExact(doc)) {
                            out.put(face.longValue(), person.longValue());
                        }
                    }
                }
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The k most similar faces, most similar first (approximate: HNSW, one graph per segment, results merged). */
    @Override
    public List<Hit> nearest(float[] query, int k) {
        try {
            refresh();
            IndexSearcher s = searchers.acquire();
            try {
                int breadth = Math.max(k, SEARCH_BREADTH);
                // each segment is its own HNSW graph: searched in parallel when there are several, then the best k
                // over all of them (a min-heap of score, leaf, doc)
                List<LeafReaderContext> leaves = s.getIndexReader().leaves();
                List<TopDocs> perLeaf = new ArrayList<>(leaves.size());
                if (leaves.size() > 1 && SEARCH_THREADS > 1) {
                    List<java.util.concurrent.Future<TopDocs>> futures = new ArrayList<>();
                    for (LeafReaderContext leaf : leaves) {
                        futures.add(SEARCH_POOL.submit(() -> searchLeaf(leaf.reader(), query, breadth)));
                    }
                    for (var f : futures) {
                        try {
                            perLeaf.add(f.get());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("interrupted while searching the face index", e);
                        } catch (java.util.concurrent.ExecutionException e) {
                            throw e.getCause() instanceof IOException io ? new UncheckedIOException(io)
                                    : new IllegalStateException("face index search failed", e.getCause());
                        }
                    }
                } else {
                    for (LeafReaderContext leaf : leaves) {
                        perLeaf.add(searchLeaf(leaf.reader(), query, breadth));
                    }
                }
                PriorityQueue<ScoreDoc> best = new PriorityQueue<>(k + 1, (a, b) -> Float.compare(a.score, b.score));
                for (int li = 0; li < perLeaf.size(); li++) {
                    for (ScoreDoc sd : perLeaf.get(li).scoreDocs) {
                        if (best.size() < k || sd.score > best.peek().score) {
                            best.add(new ScoreDoc(sd.doc, sd.score, li));
                            if (best.size() > k) {
                                best.poll();
                            }
                        }
                    }
                }
                List<ScoreDoc> ordered = new ArrayList<>(best);
                ordered.sort((a, b) -> Float.compare(b.score, a.score));
                List<Hit> hits = new ArrayList<>(ordered.size());
                for (ScoreDoc sd : ordered) {
                    LeafReader r = leaves.get(sd.shardIndex).reader();
                    NumericDocValues face = r.getNumericDocValues(FACE);
                    NumericDocValues person = r.getNumericDocValues(PERSON);
                    if (face.advanceExact(sd.doc) && person.advanceExact(sd.doc)) {
                        // Lucene scores DOT_PRODUCT as (1 + dot) / 2
                        hits.add(new Hit(face.longValue(), person.longValue(), 2.0 * sd.score - 1.0));
                    }
                }
                return hits;
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TopDocs searchLeaf(LeafReader r, float[] query, int breadth) throws IOException {
        if (r.getFloatVectorValues(VECTOR) == null) {
            return new TopDocs(new org.apache.lucene.search.TotalHits(0,
                    org.apache.lucene.search.TotalHits.Relation.EQUAL_TO), new ScoreDoc[0]);
        }
        return r.searchNearestVectors(VECTOR, query, breadth, r.getLiveDocs(), Integer.MAX_VALUE);
    }

    /** Threads searching segments in parallel (one lookup at a time uses them all). */
    static final int SEARCH_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final java.util.concurrent.ExecutorService SEARCH_POOL =
            java.util.concurrent.Executors.newFixedThreadPool(SEARCH_THREADS, r -> {
                Thread t = new Thread(r, "face-index-search");
                t.setDaemon(true);
                return t;
            });

    /** Merges the index into at most {@code segments} segments (fewer graphs per search; slow: relinks vectors). */
    public void merge(int segments) {
        try {
            writer.forceMerge(segments);
            if (!dirty) {
                writer.commit(); // same content, same fingerprint, fewer segments
            }
            stale = true;
            refresh();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Segments (HNSW graphs) a search visits. */
    public int segments() {
        try {
            refresh();
            IndexSearcher s = searchers.acquire();
            try {
                return s.getIndexReader().leaves().size();
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int size() {
        try {
            refresh();
            IndexSearcher s = searchers.acquire();
            try {
                return s.getIndexReader().numDocs();
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (dirty) {
                commit(null); // changes nobody vouched for: the next start reconciles with the database
            }
            searchers.close();
            writer.close();
            dir.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
