package io.facerec.bench.library;

import com.zaxxer.hikari.HikariDataSource;
import io.facerec.clusterer.cluster.ClusterFacesHandler;
import io.facerec.clusterer.cluster.PersonClustering;
import io.facerec.clusterer.cluster.ReclusterHandler;
import io.facerec.clusterer.config.ClustererProperties;
import io.facerec.clusterer.index.BlasThreads;
import io.facerec.common.files.FilePermissions;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrameStore;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.DatabaseTime;
import io.facerec.common.persistence.EmbeddingCodec;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.person.PersonCorrections;
import io.facerec.common.portrait.Portraits;
import io.facerec.gallery.GalleryFiles;
import io.facerec.gallery.GalleryService;
import io.facerec.launcher.EvaluateMode;
import io.facerec.launcher.infra.EmbeddedDatabase;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The library simulator's benchmark ({@code bench/library.sh}): a real PostgreSQL (embedded) with the product's
 * schema, preloaded with N synthetic faces of a {@link SyntheticLibrary} (bulk COPY; the planted persons assigned as
 * the clusterer would have left them, or reclustered by the product with {@code --preload-assign recluster}); then the
 * product's {@link ClusterFacesHandler} starts on it (time and rows read are reported) and M new faces arrive in
 * batches of B through it, each batch inserted as the detector and embedder would have written it, then clustered and
 * timed. Afterwards: the streamed faces' persons against the planted identities (pairwise F1), a recluster of the
 * whole library by the product's {@link ReclusterHandler} scored on the same faces, and the gallery's requests on the
 * same database. The last line of the output is one JSON object.
 *
 * <pre>bench/library.sh --preload 10000 [--stream 10000] [--batch 50] [--preload-assign truth|recluster]</pre>
 */
public final class LibraryBench {
    static final String MODEL = "fr_feature";

    public static void main(String[] args) throws Exception {
        Path embeddings = null;
        Path identity = Path.of("../shared/eval/identity");
        int preload = 10_000;
        int streamed = 10_000;
        int batchSize = 50;
        boolean recluster = false;
        boolean skipBatch = false;
        Path dataDir = null;
        PersonClustering.Algorithm algorithm = PersonClustering.Algorithm.AVERAGE_LINKAGE;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--embeddings" -> embeddings = Path.of(args[++i]);
                case "--identity-dir" -> identity = Path.of(args[++i]);
                case "--preload" -> preload = Integer.parseInt(args[++i].replace("_", ""));
                case "--stream" -> streamed = Integer.parseInt(args[++i].replace("_", ""));
                case "--batch" -> batchSize = Integer.parseInt(args[++i]);
                case "--preload-assign" -> recluster = args[++i].equals("recluster");
                case "--no-recluster" -> skipBatch = true;
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                case "--algorithm" -> algorithm = PersonClustering.Algorithm.valueOf(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (embeddings == null) {
            throw new IllegalArgumentException("--embeddings FILE: the development set's embeddings (float32), as "
                    + "facerec --evaluate DIR --embeddings-out FILE writes them");
        }
        List<String> labels = new ArrayList<>();
        for (String[] e : EvaluateMode.manifest(identity)) {
            labels.add(e[1]);
        }
        CalibratedFaces.Labelled real = CalibratedFaces.read(embeddings, labels);
        CalibratedFaces faces = CalibratedFaces.from(real).fit(real);
        log(
                "calibration: real %s; synthetic %s",
                CalibratedFaces.stats(real.rows(), real.labels()), faces.syntheticStats(300, 8));
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("facerec-library");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data, true)) {
            new LibraryBench(db, faces, algorithm).run(preload, streamed, batchSize, recluster, skipBatch);
        } finally {
            if (dataDir == null) {
                deleteTree(data);
            }
        }
        System.exit(0);
    }

    private final DataSource plain;
    private final CountingDataSource counting;
    private final CalibratedFaces calibrated;
    private final ClustererProperties props;
    private final JdbcTemplate jdbc;

    LibraryBench(EmbeddedDatabase db, CalibratedFaces calibrated, PersonClustering.Algorithm algorithm) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(db.jdbcUrl());
        ds.setUsername(db.user());
        ds.setPassword(db.password());
        ds.setMaximumPoolSize(4);
        this.plain = ds;
        this.counting = new CountingDataSource(ds);
        this.calibrated = calibrated;
        this.props = new ClustererProperties(Map.of(), algorithm, ClustererProperties.UMAP_EPS, 500, 8, 16, 1);
        this.jdbc = new JdbcTemplate(plain);
        Flyway.configure()
                .dataSource(plain)
                .locations("classpath:db/migration/postgresql")
                .load()
                .migrate();
    }

    /** The product's repositories over a data source. */
    private record Repos(
            FaceRepository faces,
            PersonRepository persons,
            PersonCentroidRepository centroids,
            ClusteringChangeRepository changes,
            Portraits portraits,
            TransactionTemplate tx) {
        static Repos over(DataSource ds) {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            DatabaseTime time = DatabaseTime.system();
            FaceRepository faces = new FaceRepository(jdbc, time);
            PersonRepository persons = new PersonRepository(jdbc, time, true);
            return new Repos(
                    faces,
                    persons,
                    new PersonCentroidRepository(jdbc),
                    new ClusteringChangeRepository(jdbc),
                    new Portraits(faces, persons, null, Portraits.Locations.NONE),
                    new TransactionTemplate(new DataSourceTransactionManager(ds)));
        }
    }

    void run(int preload, int streamed, int batchSize, boolean recluster, boolean skipBatch) throws Exception {
        SyntheticLibrary lib = new SyntheticLibrary(calibrated, SyntheticLibrary.Params.DEFAULT, 1);
        int n = preload + streamed;
        long[] truth = new long[n];
        // 1. preload
        long t0 = System.nanoTime();
        Map<Long, Integer> sizes = new HashMap<>();
        List<SyntheticLibrary.Face> preloadFaces = new ArrayList<>();
        Loader loader = new Loader();
        int chunk = 20_000;
        // identities with 2+ faces in the preload are its persons; sizes need the whole preload first
        long[] people = new long[preload];
        for (int from = 0; from < preload; from += chunk) {
            List<SyntheticLibrary.Face> part = lib.next(Math.min(chunk, preload - from));
            for (SyntheticLibrary.Face f : part) {
                truth[(int) f.index()] = f.person();
                people[(int) f.index()] = f.person();
                sizes.merge(f.person(), 1, Integer::sum);
            }
            loader.insert(part);
        }
        long inserted = System.nanoTime();
        Repos product = Repos.over(plain);
        double preloadAssignSeconds;
        String preloadMode;
        if (recluster) {
            BlasThreads.use(0); // as the database modes recluster: every core
            long r0 = System.nanoTime();
            ReclusterHandler.Result r = new ReclusterHandler(
                            product.faces(),
                            product.persons(),
                            product.centroids(),
                            product.changes(),
                            product.portraits(),
                            props,
                            product.tx(),
                            Clock.systemUTC())
                    .recluster(MODEL, false);
            preloadAssignSeconds = (System.nanoTime() - r0) / 1e9;
            preloadMode = "recluster";
            log("preload reclustered by the product in %.1f s: %s", preloadAssignSeconds, r);
        } else {
            long r0 = System.nanoTime();
            loader.assignPlanted(people, sizes, preload);
            preloadAssignSeconds = (System.nanoTime() - r0) / 1e9;
            preloadMode = "planted";
        }
        // a library's rows were loaded long ago: its statistics are current and its pages written out, so the stream
        // does not share the disk with the write-back of the bulk load
        jdbc.execute("VACUUM ANALYZE");
        jdbc.execute("CHECKPOINT");
        long strangers = 0;
        long personsPlanted = sizes.values().stream().filter(s -> s >= 2).count();
        for (long p : people) {
            strangers += p >= SyntheticLibrary.STRANGERS ? 1 : 0;
        }
        log(
                "preload: %d faces (%.1f%% strangers, %d planted persons of 2+ faces, largest %s) inserted in %.1f s, "
                        + "assigned (%s) in %.1f s",
                preload,
                100.0 * strangers / Math.max(1, preload),
                personsPlanted,
                largest(sizes),
                (inserted - t0) / 1e9,
                preloadMode,
                preloadAssignSeconds);

        // 2. the clusterer starts on the library, with the streaming clusterer's OpenBLAS threads (as ClustererStage
        // sets them; nothing else is inside OpenBLAS here)
        log("OpenBLAS threads while streaming: %d", BlasThreads.use(props.blasThreads()));
        Repos counted = Repos.over(counting);
        ClusterFacesHandler handler = new ClusterFacesHandler(
                counted.faces(),
                counted.persons(),
                counted.centroids(),
                counted.changes(),
                counted.portraits(),
                props,
                counted.tx(),
                Clock.systemUTC(),
                null);
        System.gc();
        long heapBefore = usedHeap();
        long rows0 = counting.rows();
        long s0 = System.nanoTime();
        handler.start(MODEL);
        double startSeconds = (System.nanoTime() - s0) / 1e9;
        long startRows = counting.rows() - rows0;
        int[] held = handler.held(MODEL);
        log(
                "clusterer start: %.1f s, %d rows read (%d unassigned faces and %d person centroids held)",
                startSeconds, startRows, held[0], held[1]);

        // 3. stream
        long[] times = new long[Math.max(1, (streamed + batchSize - 1) / batchSize)];
        ClusterFacesHandler.Phases[] phases = new ClusterFacesHandler.Phases[times.length];
        long[] rowsRead = new long[times.length];
        int b = 0;
        for (int from = 0; from < streamed; from += batchSize) {
            List<SyntheticLibrary.Face> part = lib.next(Math.min(batchSize, streamed - from));
            for (SyntheticLibrary.Face f : part) {
                truth[(int) f.index()] = f.person();
            }
            List<Long> ids = loader.insert(part);
            long r = counting.rows();
            long a = System.nanoTime();
            handler.cluster(MODEL, ids);
            times[b] = System.nanoTime() - a;
            phases[b] = handler.lastPhases();
            rowsRead[b++] = counting.rows() - r;
        }
        System.gc();
        long heapAfter = usedHeap();
        long nativeBytes = handler.nativeBytes();
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        double p50 = sorted[sorted.length / 2] / 1e6;
        double p99 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6;
        double meanRows = Arrays.stream(rowsRead).average().orElse(0);
        long maxRows = Arrays.stream(rowsRead).max().orElse(0);
        long[] streamTruth = Arrays.copyOfRange(truth, preload, n);
        PairwiseScore stream = PairwiseScore.of(streamTruth, persons(preload, n));
        log(
                "stream: %d faces in batches of %d: p50 %.1f ms, p99 %.1f ms, max %.1f ms; rows read per batch mean %.1f, "
                        + "max %d; heap %d MB after GC (%d MB before the clusterer started), %d MB native (the indexes); %s",
                streamed,
                batchSize,
                p50,
                p99,
                sorted[sorted.length - 1] / 1e6,
                meanRows,
                maxRows,
                heapAfter >> 20,
                heapBefore >> 20,
                nativeBytes >> 20,
                stream);
        Integer[] slowest = new Integer[times.length];
        for (int i = 0; i < slowest.length; i++) {
            slowest[i] = i;
        }
        Arrays.sort(slowest, (x, y) -> Long.compare(times[y], times[x]));
        StringBuilder slow = new StringBuilder();
        for (int i = 0; i < Math.min(4, slowest.length); i++) {
            slow.append(String.format(
                    Locale.ROOT, " batch %d: %.1f ms %s;", slowest[i], times[slowest[i]] / 1e6, phases[slowest[i]]));
        }
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < Math.min(12, times.length); i++) {
            first.append(i == 0 ? "" : ", ")
                    .append(Math.round(times[i] / 1e6))
                    .append(String.format(
                            Locale.ROOT,
                            " (%.0f/%.0f/%.0f)",
                            phases[i].decide(),
                            phases[i].write(),
                            phases[i].portraits()));
        }
        log("stream: the first batches after the start (decide/write/portraits): %s ms", first);
        double[] mean = new double[6];
        for (ClusterFacesHandler.Phases ph : phases) {
            if (ph != null) {
                mean[0] += ph.read() / phases.length;
                mean[1] += ph.decide() / phases.length;
                mean[2] += ph.write() / phases.length;
                mean[3] += ph.portraits() / phases.length;
                mean[4] += ph.commit() / phases.length;
                mean[5] += ph.apply() / phases.length;
            }
        }
        log(
                "stream phases, mean ms: read %.1f, decide %.1f, write %.1f, portraits %.1f, commit %.1f, apply %.1f;"
                        + " the slowest:%s",
                mean[0], mean[1], mean[2], mean[3], mean[4], mean[5], slow);
        handler.close();

        // 4. the gallery on the same database
        Map<String, double[]> gallery = gallery();

        // 5. a recluster of the whole library by the product, scored on the same faces
        PairwiseScore batch = null;
        double reclusterSeconds = 0;
        if (!skipBatch) {
            BlasThreads.use(0); // as the database modes recluster: every core
            long r0 = System.nanoTime();
            ReclusterHandler.Result r = new ReclusterHandler(
                            product.faces(),
                            product.persons(),
                            product.centroids(),
                            product.changes(),
                            product.portraits(),
                            props,
                            product.tx(),
                            Clock.systemUTC())
                    .recluster(MODEL, false);
            reclusterSeconds = (System.nanoTime() - r0) / 1e9;
            batch = PairwiseScore.of(streamTruth, persons(preload, n));
            log(
                    "recluster of %d faces: %.1f s (read %d ms, clustered %d ms, written %d ms), %s on the streamed faces; "
                            + "all faces: %s",
                    r.faces(),
                    reclusterSeconds,
                    r.readMillis(),
                    r.clusterMillis(),
                    r.writeMillis(),
                    batch,
                    PairwiseScore.of(truth, persons(0, n)));
        }
        StringBuilder g = new StringBuilder();
        gallery.forEach((k, v) -> g.append(String.format(Locale.ROOT, ",\"gallery_%s_p99_ms\":%.1f", k, v[1])));
        System.out.printf(
                Locale.ROOT,
                "{\"preload\":%d,\"streamed\":%d,\"batch\":%d,\"batch_p50_ms\":%.1f,"
                        + "\"batch_p99_ms\":%.1f,\"heap_mb\":%d,\"native_mb\":%d,\"rows_read_per_batch\":%.1f,"
                        + "\"stream_f1\":%.4f,\"batch_f1\":%s,\"start_s\":%.1f,\"start_rows\":%d,\"recluster_s\":%.1f%s}%n",
                preload,
                streamed,
                batchSize,
                p50,
                p99,
                heapAfter >> 20,
                nativeBytes >> 20,
                meanRows,
                stream.f1(),
                batch == null ? "null" : String.format(Locale.ROOT, "%.4f", batch.f1()),
                startSeconds,
                startRows,
                reclusterSeconds,
                g);
    }

    /** The persons of faces {@code [from, to)} (face id = index + 1); -1 for none. */
    private long[] persons(int from, int to) {
        long[] out = new long[to - from];
        Arrays.fill(out, -1);
        jdbc.query(
                "SELECT \"Id\", \"PersonId\" FROM \"Faces\" WHERE \"Id\" > ? AND \"Id\" <= ? AND \"PersonId\" IS NOT NULL",
                rs -> {
                    out[(int) (rs.getLong(1) - 1 - from)] = rs.getLong(2);
                },
                from,
                to);
        return out;
    }

    /** p50 and p99 per gallery request kind, in ms, 40 requests each. */
    private Map<String, double[]> gallery() {
        Repos r = Repos.over(plain);
        JdbcTemplate j = new JdbcTemplate(plain);
        GalleryService g = new GalleryService(
                r.persons(),
                r.faces(),
                new MediaItemRepository(j),
                new MediaFileRepository(j, DatabaseTime.system()),
                new MediaPathResolver(Path.of(".")),
                new PersonCorrections(r.faces(), r.persons(), r.centroids(), r.changes(), r.portraits()),
                r.centroids(),
                r.changes(),
                r.tx(),
                Clock.systemUTC(),
                new GalleryFiles(Path.of("."), new VideoFrameStore(Path.of("."), FilePermissions.OWNER)));
        List<Long> largest = j.queryForList(
                "SELECT \"Id\" FROM \"Persons\" ORDER BY \"FaceCount\" DESC, \"Id\" "
                        + "OFFSET 0 ROWS FETCH NEXT 40 ROWS ONLY",
                Long.class);
        long big = largest.get(0);
        int bigFaces = j.queryForObject("SELECT \"FaceCount\" FROM \"Persons\" WHERE \"Id\" = ?", Integer.class, big);
        Random rnd = new Random(3);
        long persons = j.queryForObject("SELECT COUNT(*) FROM \"Persons\"", Long.class);
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("persons", time(() -> g.persons(false, null, rnd.nextInt((int) Math.min(persons, 5000)), 200)));
        out.put("person", time(() -> g.person(big, rnd.nextInt(Math.max(1, bigFaces - 500)), 500)));
        out.put("unassigned", time(() -> g.unassigned(rnd.nextInt(10_000), 500)));
        out.put("suggestions", time(() -> g.suggestions(largest.get(rnd.nextInt(largest.size())), 5)));
        out.put("search", time(() -> g.persons(true, "unknown-1", 0, 200)));
        StringBuilder sb = new StringBuilder();
        out.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s p50 %.1f / p99 %.1f ms;", k, v[0], v[1])));
        log("gallery (%d persons, a person of %d faces paged):%s", persons, bigFaces, sb);
        return out;
    }

    private static double[] time(Supplier<?> request) {
        for (int i = 0; i < 5; i++) {
            request.get(); // warm-up (the first suggestion loads the centroids)
        }
        long[] t = new long[40];
        for (int i = 0; i < t.length; i++) {
            long a = System.nanoTime();
            request.get();
            t[i] = System.nanoTime() - a;
        }
        Arrays.sort(t);
        return new double[] {t[t.length / 2] / 1e6, t[t.length - 1] / 1e6};
    }

    /** Bulk writes of the simulated library, as the detector and embedder would have left it (COPY). */
    private final class Loader {
        private long photos;
        private int facesInPhoto;

        /** Inserts the faces (and their photos), ids = index + 1; returns the face ids. */
        List<Long> insert(List<SyntheticLibrary.Face> part) throws Exception {
            StringBuilder files = new StringBuilder();
            StringBuilder items = new StringBuilder();
            StringBuilder rows = new StringBuilder();
            List<Long> ids = new ArrayList<>(part.size());
            Random rnd = new Random(part.get(0).index());
            for (SyntheticLibrary.Face f : part) {
                long photo = f.photo() + 1;
                if (photo > photos) {
                    files.append(photo)
                            .append("\tp/")
                            .append(photo)
                            .append(".jpg\t")
                            .append(photo)
                            .append(".jpg\n");
                    items.append(photo).append('\t').append(photo).append("\ttrue\tDETECTED\n");
                    photos = photo;
                    facesInPhoto = 0;
                }
                int index = facesInPhoto++; // a photo's faces arrive together, possibly across two batches
                long id = f.index() + 1;
                ids.add(id);
                rows.append(id)
                        .append('\t')
                        .append(photo)
                        .append("\t0\t")
                        .append(index)
                        .append("\t0.99\t")
                        .append("[10.0, 10.0, 60.0, 60.0]\t[[20, 30], [45, 30], [32, 42], [24, 52], [42, 52]]\t")
                        .append(MODEL)
                        .append("\t\\\\x")
                        .append(hex(EmbeddingCodec.toBytes(f.embedding())))
                        .append('\t')
                        .append(String.format(Locale.ROOT, "%.1f", 50 + 400 * rnd.nextDouble()))
                        .append("\tfalse\n");
            }
            try (Connection c = plain.getConnection()) {
                var copy = c.unwrap(PGConnection.class).getCopyAPI();
                if (files.length() > 0) {
                    copy.copyIn("COPY \"MediaFile\" (\"Id\", \"FilePath\", \"FileName\") FROM STDIN", reader(files));
                    copy.copyIn(
                            "COPY \"MediaItems\" (\"Id\", \"MediaFileId\", \"IsFacesExtracted\", \"Status\") FROM STDIN",
                            reader(items));
                }
                copy.copyIn(
                        "COPY \"Faces\" (\"Id\", \"MediaItemId\", \"FrameNumber\", \"FaceIndex\", \"Score\", "
                                + "\"BoundingBox\", \"Landmarks\", \"EmbeddingModel\", \"Embedding\", \"Sharpness\", "
                                + "\"IsUserVerified\") FROM STDIN",
                        reader(rows));
            }
            return ids;
        }

        /** The planted identities of 2+ faces become persons (ids in order of appearance), as a clusterer leaves them. */
        void assignPlanted(long[] people, Map<Long, Integer> sizes, int preload) throws Exception {
            Map<Long, Long> personOf = new HashMap<>();
            Map<Long, float[]> sums = new HashMap<>();
            Map<Long, Integer> counts = new HashMap<>();
            StringBuilder assign = new StringBuilder();
            for (int i = 0; i < preload; i++) {
                if (sizes.get(people[i]) >= 2) {
                    long p = personOf.computeIfAbsent(people[i], k -> (long) personOf.size() + 1);
                    assign.append(i + 1).append('\t').append(p).append('\n');
                    counts.merge(p, 1, Integer::sum);
                }
            }
            // the embeddings again, for the centroids (regenerated: the library is deterministic)
            SyntheticLibrary again = new SyntheticLibrary(calibrated, SyntheticLibrary.Params.DEFAULT, 1);
            for (int from = 0; from < preload; from += 20_000) {
                for (SyntheticLibrary.Face f : again.next(Math.min(20_000, preload - from))) {
                    Long p = personOf.get(f.person());
                    if (p != null) {
                        float[] s = sums.computeIfAbsent(p, k -> new float[f.embedding().length]);
                        for (int k = 0; k < s.length; k++) {
                            s[k] += f.embedding()[k];
                        }
                    }
                }
            }
            StringBuilder persons = new StringBuilder();
            StringBuilder centroids = new StringBuilder();
            for (var e : counts.entrySet()) {
                persons.append(e.getKey())
                        .append("\tUnknown-")
                        .append(e.getKey())
                        .append('\t')
                        .append(e.getValue())
                        .append("\t0\tfalse\n");
                centroids
                        .append(e.getKey())
                        .append('\t')
                        .append(MODEL)
                        .append('\t')
                        .append(e.getValue())
                        .append("\t\\\\x")
                        .append(hex(EmbeddingCodec.toBytes(sums.get(e.getKey()))))
                        .append('\n');
            }
            try (Connection c = plain.getConnection()) {
                var copy = c.unwrap(PGConnection.class).getCopyAPI();
                copy.copyIn(
                        "COPY \"Persons\" (\"Id\", \"Name\", \"FaceCount\", \"Type\", \"IsHidden\") FROM STDIN",
                        reader(persons));
                copy.copyIn(
                        "COPY \"PersonCentroids\" (\"PersonId\", \"EmbeddingModel\", \"FaceCount\", \"EmbeddingSum\") "
                                + "FROM STDIN",
                        reader(centroids));
                try (var st = c.createStatement()) {
                    st.execute("CREATE TEMP TABLE planted (\"FaceId\" BIGINT, \"PersonId\" BIGINT)");
                    copy.copyIn("COPY planted FROM STDIN", reader(assign));
                    st.execute(
                            "UPDATE \"Faces\" f SET \"PersonId\" = p.\"PersonId\" FROM planted p WHERE f.\"Id\" = p.\"FaceId\"");
                    st.execute("UPDATE \"Faces\" SET \"ClusteredAt\" = now()");
                    st.execute("ALTER TABLE \"Persons\" ALTER COLUMN \"Id\" RESTART WITH " + (counts.size() + 1));
                }
            }
        }
    }

    private static Reader reader(StringBuilder sb) {
        return new StringReader(sb.toString());
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static String hex(byte[] b) {
        char[] out = new char[b.length * 2];
        for (int i = 0; i < b.length; i++) {
            out[2 * i] = HEX[(b[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[b[i] & 0xf];
        }
        return new String(out);
    }

    private static String largest(Map<Long, Integer> sizes) {
        return sizes.values().stream()
                .sorted(Collections.reverseOrder())
                .limit(3)
                .toList()
                .toString();
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, format + "%n", args);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
