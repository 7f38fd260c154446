package io.facerec.launcher;

import io.facerec.clusterer.cluster.IncrementalClustering;
import io.facerec.clusterer.cluster.PersonClustering;
import io.facerec.common.config.FacerecProperties;
import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.image.ImageLoader;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.model.ModelStore;
import io.facerec.common.persistence.EmbeddingCodec;
import io.facerec.detector.DetectorStage;
import io.facerec.detector.config.DetectorProperties;
import io.facerec.detector.detect.MediaDetection;
import io.facerec.embedder.EmbedderStage;
import io.facerec.embedder.config.EmbedderProperties;
import io.facerec.embedder.embed.FaceEmbedding;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.util.FileSystemUtils;

/**
 * {@code facerec --evaluate DIR}: detection, alignment, embedding and clustering on a folder laid out as
 * {@code <person>/<images>} (in {@code MANIFEST.tsv} order when there is one), through the stages' own code: the
 * detector stage's {@link MediaDetection} (decode, detect, the embedder's face crop) and the embedder stage's
 * {@link FaceEmbedding} (the face read back from its crop, aligned, embedded), several images at once on the detector
 * stage's workers, so the figures are the product's. Scored against the folder names: pairwise precision/recall/F1 and
 * BCubed F1 (noise counted as singletons), persons found vs true people, noise share; plus the verification figures
 * used to calibrate thresholds (TAR at FAR 1e-3/1e-4/1e-5).
 */
public class EvaluateMode {
    private final ModelStore models;
    private final DetectorProperties detector;
    private final EmbedderProperties embedder;

    /** @param detector the detector's settings (score, NMS, padding, close-up retry, workers) */
    public EvaluateMode(ModelStore models, DetectorProperties detector, EmbedderProperties embedder) {
        this.models = models;
        this.detector = detector;
        this.embedder = embedder;
    }

    /**
     * Settings of a stage as the workers bind them: the defaults, then the user's settings from system properties and
     * the environment ({@code -Dfacerec.detector.face-crop-size=…}, {@code FACEREC_DETECTOR_FACECROPSIZE}), then
     * {@code overrides} (the command line's options, {@code facerec.…} keys).
     */
    public static <T> T settings(String prefix, Class<T> type, Map<String, Object> overrides) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("command line options", overrides));
        return Binder.get(environment).bindOrCreate(prefix, type);
    }

    /** One labelled image and what the pipeline made of it. */
    record Row(String file, String truth, float[] embedding) {}

    public List<Row> embed(Path dir, PrintStream err) throws IOException {
        List<String[]> entries = manifest(dir);
        Path work = Files.createTempDirectory("facerec-evaluate");
        Path crops = work.resolve("crops");
        FacerecProperties common = settings(
                "facerec",
                FacerecProperties.class,
                Map.of(
                        "facerec.media-root",
                        dir.toString(),
                        "facerec.thumbnails-dir",
                        work.resolve("thumbnails").toString(),
                        "facerec.face-crops-dir",
                        crops.toString(),
                        "facerec.portraits-dir",
                        ""));
        ImageLoader loader = new ImageLoader(common.maxImagePixels());
        long t0 = System.nanoTime();
        AtomicInteger done = new AtomicInteger();
        List<Row> rows;
        try (DetectorStage detectorStage = new DetectorStage(detector, common, models, loader, null);
                EmbedderStage embedderStage =
                        new EmbedderStage(embedder, models, new MediaPathResolver(dir), loader, null)) {
            MediaDetection detection = detectorStage.detection(DetectorStage.Output.CROPS_ONLY, crops);
            FaceEmbedding embedding = embedderStage.embedding(crops);
            List<Integer> indices = IntStream.range(0, entries.size()).boxed().toList();
            rows = detectorStage.workers().map(indices, i -> {
                String[] e = entries.get(i);
                float[] v = null;
                try {
                    v = embedLargestFace(detection, embedding, dir.resolve(e[0]), i, e[0]);
                } catch (PermanentProcessingException ex) {
                    err.printf("%s: %s%n", e[0], ex.getMessage());
                }
                int n = done.incrementAndGet();
                if (n % 100 == 0) {
                    err.printf("  %d/%d images%n", n, entries.size());
                }
                return new Row(e[0], e[1], v);
            });
        } finally {
            FileSystemUtils.deleteRecursively(work);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        err.printf(
                Locale.ROOT,
                "embedded %d images in %.1f s (%.2f images/s; %d without a face)%n",
                rows.size(),
                seconds,
                rows.size() / seconds,
                rows.stream().filter(r -> r.embedding() == null).count());
        return rows;
    }

    /**
     * The embedding of the image's largest face as the detector found it, before its box was clipped to the photo (as
     * identity_ref.py chooses: a half face at the edge counts with its whole box); null without a face.
     */
    static float[] embedLargestFace(
            MediaDetection detection, FaceEmbedding embedding, Path file, long item, String relative) {
        MediaDetection.Found found = detection.detect(file, item, relative);
        int largest = -1;
        for (int k = 0; k < found.faces().size(); k++) {
            if (largest < 0
                    || found.faces().get(k).face().unclipped().area()
                            > found.faces().get(largest).face().unclipped().area()) {
                largest = k;
            }
        }
        if (largest < 0) {
            return null;
        }
        DetectedFace f = found.faces().get(largest).face();
        FacesDetected event = FacesDetected.of(
                item,
                relative,
                List.of(new FacesDetected.Face(
                        item,
                        0,
                        largest,
                        f.score(),
                        f.box().toArray(),
                        f.landmarks().points(),
                        found.crops().get(largest))));
        try {
            return embedding.embed(event).get(0);
        } finally {
            embedding.deleteCrops(event);
        }
    }

    /** Rows from embeddings written earlier with {@code --embeddings-out} (all-zero rows = no face). */
    static List<Row> load(Path dir, Path embeddings) throws IOException {
        List<String[]> entries = manifest(dir);
        byte[] all = Files.readAllBytes(embeddings);
        int dim = all.length / entries.size() / 4;
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            float[] v = EmbeddingCodec.fromBytes(Arrays.copyOfRange(all, i * dim * 4, (i + 1) * dim * 4));
            boolean zero = true;
            for (float x : v) {
                zero &= x == 0;
            }
            rows.add(new Row(entries.get(i)[0], entries.get(i)[1], zero ? null : v));
        }
        return rows;
    }

    /** Manifest rows {file, identity}: MANIFEST.tsv order when present, else every image under person folders. */
    public static List<String[]> manifest(Path dir) throws IOException {
        Path m = dir.resolve("MANIFEST.tsv");
        List<String[]> out = new ArrayList<>();
        if (Files.isRegularFile(m)) {
            List<String> lines = Files.readAllLines(m);
            List<String> header = Arrays.asList(lines.get(0).split("\t"));
            int fi = header.indexOf("file");
            int ii = header.indexOf("identity");
            for (String l : lines.subList(1, lines.size())) {
                if (l.isBlank()) {
                    continue;
                }
                String[] c = l.split("\t", -1);
                out.add(new String[] {
                    c[fi], ii >= 0 ? c[ii] : Path.of(c[fi]).getParent().toString()
                });
            }
            return out;
        }
        for (Path p : MediaImporter.scan(dir)) {
            Path rel = dir.relativize(p);
            out.add(new String[] {
                rel.toString(), rel.getParent() == null ? "?" : rel.getParent().toString()
            });
        }
        return out;
    }

    /** Clusters with the pipeline's decision code; returns one label per row (-1 = noise or no face). */
    static int[] cluster(List<Row> rows, PersonClustering.Settings settings) {
        List<PersonClustering.Face> faces = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).embedding() != null) {
                faces.add(new PersonClustering.Face(
                        i, "img" + i, null, false, rows.get(i).embedding()));
            }
        }
        PersonClustering.Plan plan = PersonClustering.plan(faces, Set.of(), settings);
        int[] labels = new int[rows.size()];
        Arrays.fill(labels, -1);
        int c = 0;
        for (List<Long> g : plan.newPersons()) {
            for (long f : g) {
                labels[(int) f] = c;
            }
            c++;
        }
        return labels;
    }

    /**
     * The clusterer worker's streaming behaviour, in memory, through the worker's own decision code
     * ({@link IncrementalClustering}): faces arrive in batches (in a fixed shuffled order, as from several consumer
     * threads), each face its own photo; each batch is placed and applied as the worker does after its commit.
     */
    static int[] stream(List<Row> rows, IncrementalClustering.Settings settings, int batch) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).embedding() != null) {
                order.add(i);
            }
        }
        Collections.shuffle(order, new Random(42));
        int[] labels = new int[rows.size()];
        Arrays.fill(labels, -1);
        IncrementalClustering c = new IncrementalClustering(settings, 16, 16);
        long nextPerson = 0;
        for (int start = 0; start < order.size(); start += batch) {
            List<IncrementalClustering.Face> faces = new ArrayList<>();
            for (int i : order.subList(start, Math.min(order.size(), start + batch))) {
                faces.add(
                        new IncrementalClustering.Face(i, "img" + i, rows.get(i).embedding()));
            }
            IncrementalClustering.Plan plan = c.place(faces, IncrementalClustering.SlotPersons.NONE);
            List<Long> ids = new ArrayList<>();
            for (List<Long> g : plan.newPersons()) {
                long p = nextPerson++;
                ids.add(p);
                for (long f : g) {
                    labels[(int) f] = (int) p;
                }
            }
            for (var m : plan.matches().entrySet()) {
                labels[m.getKey().intValue()] = m.getValue().intValue();
            }
            c.apply(plan, ids);
        }
        c.clear();
        return labels;
    }

    /** The sweep's radii for UMAP_DBSCAN. */
    private static final double[] UMAP_GRID = {0.15, 0.20, 0.25, 0.30, 0.40, 0.50};

    /** Pairwise precision, recall, F1, BCubed F1, clusters, noise (noise = singletons, as identity_ref.py scores). */
    record Score(
            double precision,
            double recall,
            double f1,
            double bcubedF1,
            int clusters,
            int trueIds,
            int noise,
            int rows) {
        String line() {
            return String.format(
                    Locale.ROOT,
                    "persons %d (true %d)  noise %d (%.1f%%)  pairP %.4f pairR %.4f pairF1 %.4f  BCubedF1 %.4f",
                    clusters,
                    trueIds,
                    noise,
                    100.0 * noise / Math.max(1, rows),
                    precision,
                    recall,
                    f1,
                    bcubedF1);
        }
    }

    static Score score(List<String> truth, int[] labels) {
        int n = truth.size();
        int[] p = new int[n];
        int next = Arrays.stream(labels).max().orElse(-1) + 1;
        int noise = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0) {
                p[i] = next++;
                noise++;
            } else {
                p[i] = labels[i];
            }
        }
        long tp = 0;
        long together = 0;
        long same = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                boolean s = truth.get(i).equals(truth.get(j));
                boolean t = p[i] == p[j];
                if (s) {
                    same++;
                }
                if (t) {
                    together++;
                }
                if (s && t) {
                    tp++;
                }
            }
        }
        double precision = together == 0 ? 0 : (double) tp / together;
        double recall = same == 0 ? 0 : (double) tp / same;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        double bp = 0;
        double br = 0;
        for (int i = 0; i < n; i++) {
            int c = 0;
            int t = 0;
            int both = 0;
            for (int j = 0; j < n; j++) {
                boolean inC = p[j] == p[i];
                boolean inT = truth.get(j).equals(truth.get(i));
                c += inC ? 1 : 0;
                t += inT ? 1 : 0;
                both += inC && inT ? 1 : 0;
            }
            bp += (double) both / c;
            br += (double) both / t;
        }
        bp /= n;
        br /= n;
        return new Score(
                precision,
                recall,
                f1,
                2 * bp * br / (bp + br),
                (int) Arrays.stream(labels).filter(l -> l >= 0).distinct().count(),
                new HashSet<>(truth).size(),
                noise,
                n);
    }

    /** Cosine thresholds at given false-accept rates over all impostor pairs, with the true-accept rate there. */
    static void verification(List<Row> rows, PrintStream out) {
        List<Row> ok = rows.stream().filter(r -> r.embedding() != null).toList();
        List<Float> genuine = new ArrayList<>();
        float[] impostor = new float[ok.size() * (ok.size() - 1) / 2];
        int k = 0;
        int g = 0;
        for (int i = 0; i < ok.size(); i++) {
            for (int j = i + 1; j < ok.size(); j++) {
                float s = 0;
                float[] a = ok.get(i).embedding();
                float[] b = ok.get(j).embedding();
                for (int d = 0; d < a.length; d++) {
                    s += a[d] * b[d];
                }
                if (ok.get(i).truth().equals(ok.get(j).truth())) {
                    genuine.add(s);
                    g++;
                } else {
                    impostor[k++] = s;
                }
            }
        }
        float[] imp = Arrays.copyOf(impostor, k);
        Arrays.sort(imp);
        out.printf("verification: %d genuine, %d impostor pairs%n", g, k);
        for (double far : new double[] {1e-3, 1e-4, 1e-5}) {
            int idx = (int) Math.min(imp.length - 1, Math.ceil((1 - far) * imp.length) - 1);
            float t = imp[Math.max(0, idx)];
            long acc = genuine.stream().filter(s -> s > t).count();
            out.printf(Locale.ROOT, "  FAR %.0e  threshold %.3f  TAR %.4f%n", far, t, (double) acc / genuine.size());
        }
    }

    /**
     * @param settings the batch run (everything clustered at once, as a recluster): its labels are scored and written
     * @param streamSettings the streaming clusterer's settings, simulated with {@code streamBatch > 0}
     */
    public int run(
            Path dir,
            PersonClustering.Settings settings,
            IncrementalClustering.Settings streamSettings,
            Path labelsOut,
            Path embeddingsOut,
            boolean sweep,
            int streamBatch,
            Path embeddingsIn,
            PrintStream out,
            PrintStream err)
            throws IOException {
        List<Row> rows = embeddingsIn != null ? load(dir, embeddingsIn) : embed(dir, err);
        List<String> truth = rows.stream().map(Row::truth).toList();
        verification(rows, out);
        if (embeddingsOut != null) {
            try (var o = Files.newOutputStream(embeddingsOut)) {
                for (Row r : rows) {
                    o.write(EmbeddingCodec.toBytes(r.embedding() == null ? new float[512] : r.embedding()));
                }
            }
        }
        if (sweep) {
            for (PersonClustering.Algorithm a : PersonClustering.Algorithm.values()) {
                double[] grid = switch (a) {
                    case DBSCAN -> new double[] {0.40, 0.45, 0.475, 0.50, 0.525, 0.55};
                    case AVERAGE_LINKAGE -> new double[] {0.60, 0.65, 0.68, 0.70, 0.72, 0.74, 0.76, 0.78};
                    // Euclidean radii in the 2-d UMAP embedding (min_dist 0.1, spread 1)
                    case UMAP_DBSCAN -> UMAP_GRID;
                };
                for (double eps : grid) {
                    for (int ms : new int[] {2, 3}) {
                        var s = new PersonClustering.Settings(a, settings.matchThreshold(), eps, ms);
                        long t0 = System.nanoTime();
                        Score sc = score(truth, cluster(rows, s));
                        out.printf(
                                Locale.ROOT,
                                "%-15s eps %.2f min %d  %s  (%.2f s)%n",
                                a,
                                eps,
                                ms,
                                sc.line(),
                                (System.nanoTime() - t0) / 1e9);
                    }
                }
            }
        }
        int[] streamed = null;
        if (streamBatch > 0) {
            double[] matches =
                    sweep ? new double[] {0.30, 0.33, 0.35, 0.40} : new double[] {streamSettings.matchThreshold()};
            double[] groups = sweep ? new double[] {0.35, 0.40, 0.45} : new double[] {streamSettings.groupThreshold()};
            for (double match : matches) {
                for (double group : groups) {
                    var s = new IncrementalClustering.Settings(
                            match,
                            group,
                            streamSettings.minFaces(),
                            group - 0.05,
                            streamSettings.neighbours(),
                            streamSettings.singleFaceThreshold(),
                            0);
                    long t0 = System.nanoTime();
                    int[] l = stream(rows, s, streamBatch);
                    if (!sweep) {
                        streamed = l;
                    }
                    out.printf(
                            Locale.ROOT,
                            "stream (batches of %d, match %.2f (one-face person %.2f), group %.2f, min %d): "
                                    + "%s  (%.2f s)%n",
                            streamBatch,
                            match,
                            s.singleFaceThreshold(),
                            group,
                            s.minFaces(),
                            score(truth, l).line(),
                            (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        int[] batchLabels = cluster(rows, settings);
        out.printf(
                Locale.ROOT,
                "%s eps %.2f min-samples %d:%n  %s%n",
                settings.algorithm(),
                settings.eps(),
                settings.minSamples(),
                score(truth, batchLabels).line());
        // with --stream-batch the labels written are the stream's: what the clusterer worker would give
        int[] labels = streamed != null ? streamed : batchLabels;
        if (labelsOut != null) {
            StringBuilder sb = new StringBuilder();
            for (int l : labels) {
                sb.append(l).append('\n');
            }
            Files.writeString(labelsOut, sb);
            Path truthOut = labelsOut.resolveSibling(labelsOut.getFileName() + ".truth");
            Files.writeString(truthOut, String.join("\n", truth) + "\n");
            err.printf(
                    "%s labels written to %s (truth in %s)%n",
                    streamed != null ? "stream" : "batch", labelsOut, truthOut);
        }
        return 0;
    }
}
