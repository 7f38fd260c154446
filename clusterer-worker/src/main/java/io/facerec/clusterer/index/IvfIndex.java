package io.facerec.clusterer.index;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas.cblas_sgemv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;

/**
 * An inverted-file index of unit vectors for cosine similarity, searched a batch of queries at a time: the vectors are
 * partitioned into cells by spherical k-means (about {@code 4·√n} cells), each cell one contiguous block of native
 * memory; a batch of queries scores every centroid in one OpenBLAS {@code sgemm}, then each probed cell is scored
 * against the queries that probe it (one {@code sgemm}, or {@code sgemv} per query when only a few probe it). Faces
 * of one event probe the same cells, so a cell is read once per batch, not once per face. Below {@value #MIN_CELLS_AT} vectors there is one cell (an exact search).
 *
 * <p>Vectors added after training go to their most similar centroid; the cells are retrained from a sample when the
 * index has doubled since (and at the first bulk load), which keeps them balanced. The vectors live outside the Java
 * heap (about {@code 4·d} bytes each); {@link #nativeBytes()} reports them. One writer; not thread-safe.
 */
public final class IvfIndex implements AutoCloseable {
    static final int MIN_CELLS_AT = 2_000;
    static final int TRAIN_PER_CELL = 64;
    static final int TRAIN_ROUNDS = 4;
    /** Cells per square root of the size, by default: small cells, scored a batch of queries at a time. */
    static final double CELLS_PER_ROOT = 4;
    /** Cells probed by at most this many queries of a batch are scored by {@code sgemv} per query. */
    static final int GEMV_UP_TO = 4;

    /** A neighbour: its id and its cosine similarity to the query. */
    public record Hit(long id, float similarity) {}

    private final int probes;
    private final double cellsPerRoot;
    private int dim = -1;
    private FloatPointer centroids;
    private int cellCount;
    private Cell[] cells = new Cell[0];
    /** Id to its cell (high 32 bits) and row. */
    private final Map<Long, Long> where = new HashMap<>();

    private int trainedAt;

    /** @param probes cells searched per query (most similar centroids first) */
    public IvfIndex(int probes) {
        this(probes, CELLS_PER_ROOT);
    }

    /**
     * @param probes cells searched per query (most similar centroids first)
     * @param cellsPerRoot cells per square root of the size (fewer, larger cells: fewer products per batch)
     */
    public IvfIndex(int probes, double cellsPerRoot) {
        if (probes < 1 || !(cellsPerRoot > 0)) {
            throw new IllegalArgumentException("probes must be >= 1 and cells per root > 0");
        }
        this.probes = probes;
        this.cellsPerRoot = cellsPerRoot;
    }

    /** One cell: its rows in one native block, and each row's id. */
    private static final class Cell {
        FloatPointer data;
        long[] ids = new long[0];
        int n;

        void add(long id, float[] v, int d) {
            if (n == ids.length) {
                int cap = Math.max(16, n + (n >> 1));
                FloatPointer grown = new FloatPointer((long) cap * d);
                if (data != null) {
                    grown.put(data.limit((long) n * d));
                    grown.position(0);
                    data.close();
                }
                data = grown;
                ids = Arrays.copyOf(ids, cap);
            }
            data.position((long) n * d).put(v, 0, d);
            data.position(0);
            ids[n++] = id;
        }

        void row(int r, float[] out, int d) {
            data.position((long) r * d).get(out, 0, d);
            data.position(0);
        }

        /** Moves the last row into row {@code r}; returns the moved id, or Long.MIN_VALUE. */
        long removeAt(int r, int d) {
            int last = n - 1;
            long moved = Long.MIN_VALUE;
            if (r != last) {
                float[] tmp = new float[d];
                row(last, tmp, d);
                data.position((long) r * d).put(tmp, 0, d);
                data.position(0);
                ids[r] = ids[last];
                moved = ids[r];
            }
            n--;
            return moved;
        }

        void close() {
            if (data != null) {
                data.close();
                data = null;
            }
        }
    }

    public int size() {
        return where.size();
    }

    public boolean contains(long id) {
        return where.containsKey(id);
    }

    /** Bytes of native memory the vectors and centroids take. */
    public long nativeBytes() {
        long b = centroids == null ? 0 : centroids.capacity() * 4L;
        for (Cell c : cells) {
            b += c.data == null ? 0 : c.data.capacity() * 4L;
        }
        return b;
    }

    /** A copy of a vector, or null when the id is not indexed. */
    public float[] vector(long id) {
        Long at = where.get(id);
        if (at == null) {
            return null;
        }
        float[] out = new float[dim];
        cells[(int) (at >>> 32)].row((int) (long) at, out, dim);
        return out;
    }

    /** Adds (or replaces) vectors. */
    public void addAll(long[] ids, float[][] vectors) {
        if (ids.length == 0) {
            return;
        }
        for (int i = 0; i < ids.length; i++) {
            if (dim < 0) {
                dim = vectors[i].length;
            } else if (vectors[i].length != dim) {
                throw new IllegalArgumentException("vector of " + vectors[i].length + " values in an index of " + dim);
            }
            remove(ids[i]);
        }
        int after = size() + ids.length;
        if (cells.length == 0 || (after >= MIN_CELLS_AT && after >= 2L * Math.max(trainedAt, MIN_CELLS_AT / 2))) {
            retrain(ids, vectors);
            return;
        }
        int[] target = nearestCells(vectors);
        for (int i = 0; i < ids.length; i++) {
            put(target[i], ids[i], vectors[i]);
        }
    }

    public void add(long id, float[] vector) {
        addAll(new long[] {id}, new float[][] {vector});
    }

    private void put(int cell, long id, float[] v) {
        Cell c = cells[cell];
        where.put(id, ((long) cell << 32) | (c.n & 0xffffffffL));
        c.add(id, v, dim);
    }

    public void remove(long id) {
        Long at = where.remove(id);
        if (at == null) {
            return;
        }
        int cell = (int) (at >>> 32);
        int row = (int) (long) at;
        long moved = cells[cell].removeAt(row, dim);
        if (moved != Long.MIN_VALUE) {
            where.put(moved, ((long) cell << 32) | (row & 0xffffffffL));
        }
    }

    public void clear() {
        for (Cell c : cells) {
            c.close();
        }
        cells = new Cell[0];
        cellCount = 0;
        if (centroids != null) {
            centroids.close();
            centroids = null;
        }
        where.clear();
        trainedAt = 0;
    }

    /** New cells from a sample of everything (indexed and added); the vectors move over one old cell at a time. */
    private void retrain(long[] addedIds, float[][] added) {
        int n = size() + addedIds.length;
        int c = n < MIN_CELLS_AT ? 1 : (int) Math.round(cellsPerRoot * Math.sqrt(n));
        float[] trained = null;
        if (c > 1) {
            int sample = Math.min(n, c * TRAIN_PER_CELL);
            Random rnd = new Random(n);
            float[] train = new float[sample * dim];
            int taken = 0;
            int seen = 0;
            float[] row = new float[dim];
            for (Cell old : cells) {
                for (int r = 0; r < old.n && taken < sample; r++, seen++) {
                    if (rnd.nextDouble() * (n - seen) < sample - taken) {
                        old.row(r, row, dim);
                        System.arraycopy(row, 0, train, taken++ * dim, dim);
                    }
                }
            }
            for (int i = 0; i < added.length && taken < sample; i++, seen++) {
                if (rnd.nextDouble() * (n - seen) < sample - taken) {
                    System.arraycopy(added[i], 0, train, taken++ * dim, dim);
                }
            }
            trained = SphericalKMeans.train(train, taken, dim, c, TRAIN_ROUNDS, n);
        }
        Cell[] old = cells;
        if (centroids != null) {
            centroids.close();
        }
        centroids = trained == null ? null : new FloatPointer(trained);
        cellCount = c;
        cells = new Cell[c];
        for (int k = 0; k < c; k++) {
            cells[k] = new Cell();
        }
        where.clear();
        for (int o = 0; o < old.length; o++) {
            Cell from = old[o];
            old[o] = null;
            float[][] rows = new float[from.n][dim];
            for (int r = 0; r < from.n; r++) {
                from.row(r, rows[r], dim);
            }
            int[] target = nearestCells(rows);
            for (int r = 0; r < from.n; r++) {
                put(target[r], from.ids[r], rows[r]);
            }
            from.close();
        }
        int[] target = nearestCells(added);
        for (int i = 0; i < added.length; i++) {
            put(target[i], addedIds[i], added[i]);
        }
        trainedAt = n;
    }

    private int[] nearestCells(float[][] vectors) {
        int[] out = new int[vectors.length];
        if (cellCount <= 1 || vectors.length == 0) {
            return out;
        }
        int[][] top = topCells(vectors, 1);
        for (int i = 0; i < out.length; i++) {
            out[i] = top[i][0];
        }
        return out;
    }

    /** Each query's {@code p} most similar cells, by one sgemm against the centroids per block of queries. */
    private int[][] topCells(float[][] queries, int p) {
        int q = queries.length;
        int[][] top = new int[q][];
        int block = Math.max(1, Math.min(q, 4_000_000 / Math.max(1, cellCount)));
        try (FloatPointer qp = new FloatPointer((long) block * dim);
                FloatPointer out = new FloatPointer((long) block * cellCount)) {
            float[] sims = new float[block * cellCount];
            for (int from = 0; from < q; from += block) {
                int rows = Math.min(block, q - from);
                for (int i = 0; i < rows; i++) {
                    qp.position((long) i * dim).put(queries[from + i], 0, dim);
                }
                qp.position(0);
                cblas_sgemm(
                        CblasRowMajor,
                        CblasNoTrans,
                        CblasTrans,
                        rows,
                        cellCount,
                        dim,
                        1f,
                        qp,
                        dim,
                        centroids,
                        dim,
                        0f,
                        out,
                        cellCount);
                out.get(sims, 0, rows * cellCount);
                for (int i = 0; i < rows; i++) {
                    top[from + i] = SphericalKMeans.best(sims, i * cellCount, cellCount, Math.min(p, cellCount));
                }
            }
        }
        return top;
    }

    /**
     * The neighbours of each query: up to {@code k} indexed vectors at or above {@code minSimilarity}, most similar
     * first (approximate: only the probed cells are searched).
     */
    public List<List<Hit>> search(float[][] queries, int k, float minSimilarity) {
        int q = queries.length;
        List<List<Hit>> out = new ArrayList<>(q);
        if (size() == 0 || q == 0) {
            for (int i = 0; i < q; i++) {
                out.add(List.of());
            }
            return out;
        }
        int[][] probed = cellCount <= 1 ? null : topCells(queries, probes);
        // which queries probe each cell
        Map<Integer, List<Integer>> byCell = new HashMap<>();
        for (int i = 0; i < q; i++) {
            if (probed == null) {
                byCell.computeIfAbsent(0, x -> new ArrayList<>()).add(i);
            } else {
                for (int cell : probed[i]) {
                    byCell.computeIfAbsent(cell, x -> new ArrayList<>()).add(i);
                }
            }
        }
        TopK[] best = new TopK[q];
        for (int i = 0; i < q; i++) {
            best[i] = new TopK(k);
        }
        int maxRows = 0;
        int maxQ = 0;
        for (var e : byCell.entrySet()) {
            maxRows = Math.max(maxRows, cells[e.getKey()].n);
            maxQ = Math.max(maxQ, e.getValue().size());
        }
        if (maxRows > 0) {
            try (FloatPointer qp = new FloatPointer((long) maxQ * dim);
                    FloatPointer res = new FloatPointer((long) maxQ * maxRows)) {
                float[] sims = new float[maxQ * maxRows];
                for (var e : byCell.entrySet()) {
                    Cell c = cells[e.getKey()];
                    if (c.n == 0) {
                        continue;
                    }
                    List<Integer> qs = e.getValue();
                    for (int j = 0; j < qs.size(); j++) {
                        qp.position((long) j * dim).put(queries[qs.get(j)], 0, dim);
                    }
                    qp.position(0);
                    score(qp, qs.size(), c, res);
                    res.get(sims, 0, qs.size() * c.n);
                    for (int j = 0; j < qs.size(); j++) {
                        TopK t = best[qs.get(j)];
                        int off = j * c.n;
                        for (int r = 0; r < c.n; r++) {
                            float s = sims[off + r];
                            if (s >= minSimilarity) {
                                t.offer(s, c.ids[r]);
                            }
                        }
                    }
                }
            }
        }
        for (TopK t : best) {
            out.add(t.hits());
        }
        return out;
    }

    /**
     * The similarities of {@code q} queries to every row of a cell, into {@code res} (q rows of {@code c.n}). A cell
     * probed by few queries is read row by row with {@code sgemv} per query: {@code sgemm} packs the whole cell into a
     * buffer first, which for one or two queries doubles what is read from memory (measured at 1M faces with
     * {@code ClusteringLab}: the pool's scans took 86 ms per batch of 50 by {@code sgemm}, 40 ms this way).
     */
    private void score(FloatPointer qp, int q, Cell c, FloatPointer res) {
        if (q <= GEMV_UP_TO) {
            for (int j = 0; j < q; j++) {
                qp.position((long) j * dim);
                res.position((long) j * c.n);
                cblas_sgemv(CblasRowMajor, CblasNoTrans, c.n, dim, 1f, c.data, dim, qp, 1, 0f, res, 1);
            }
            qp.position(0);
            res.position(0);
            return;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, q, c.n, dim, 1f, qp, dim, c.data, dim, 0f, res, c.n);
    }

    /** The best k, kept sorted by insertion. */
    private static final class TopK {
        final float[] sim;
        final long[] id;
        int size;

        TopK(int k) {
            sim = new float[k];
            id = new long[k];
        }

        void offer(float s, long v) {
            int k = sim.length;
            if (size == k && s <= sim[k - 1]) {
                return;
            }
            int j = size < k ? size++ : k - 1;
            while (j > 0 && sim[j - 1] < s) {
                sim[j] = sim[j - 1];
                id[j] = id[j - 1];
                j--;
            }
            sim[j] = s;
            id[j] = v;
        }

        List<Hit> hits() {
            List<Hit> out = new ArrayList<>(size);
            for (int j = 0; j < size; j++) {
                out.add(new Hit(id[j], sim[j]));
            }
            return out;
        }
    }

    /** Cells (1 below {@link #MIN_CELLS_AT} vectors). */
    public int cells() {
        return cellCount;
    }

    @Override
    public void close() {
        clear();
    }
}
