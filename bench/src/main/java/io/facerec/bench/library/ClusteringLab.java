package io.facerec.bench.library;

import io.facerec.clusterer.cluster.IncrementalClustering;
import io.facerec.clusterer.cluster.KnnGraph;
import io.facerec.clusterer.cluster.PersonCentroids;
import io.facerec.clusterer.cluster.SparseAverageLinkage;
import io.facerec.launcher.EvaluateMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * In-memory experiments with the clustering rules (no database): the library simulator's streams through
 * {@link IncrementalClustering} and the batch path, and the development set's subsets of people. Used to choose the
 * default rule and thresholds; the product figures come from {@code bench/library.sh} on the real database.
 *
 * <pre>java -Xmx8g -cp bench/target/facerec-bench.jar -Dloader.main=io.facerec.bench.library.ClusteringLab \
 *   org.springframework.boot.loader.launch.PropertiesLauncher --embeddings dev.f32 [--match T] [--group T] [--min N]
 *   [--batch-cut T] [--preload N,...] [--stream M] [--dev] [--no-batch]</pre>
 */
public final class ClusteringLab {
    public static void main(String[] args) throws Exception {
        Path embeddings = null;
        Path identity = Path.of("../shared/eval/identity");
        double match = 0.45;
        double group = 0.45;
        double batchCut = 0.45;
        int min = 2;
        double nsim = 0.30;
        int k = 16;
        List<Integer> preloads = List.of(10_000);
        int stream = 10_000;
        boolean dev = false;
        boolean grid = false;
        boolean noBatch = false;
        double single = 0;
        double cohesion = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--embeddings" -> embeddings = Path.of(args[++i]);
                case "--identity-dir" -> identity = Path.of(args[++i]);
                case "--match" -> match = Double.parseDouble(args[++i]);
                case "--group" -> group = Double.parseDouble(args[++i]);
                case "--batch-cut" -> batchCut = Double.parseDouble(args[++i]);
                case "--min" -> min = Integer.parseInt(args[++i]);
                case "--nsim" -> nsim = Double.parseDouble(args[++i]);
                case "--k" -> k = Integer.parseInt(args[++i]);
                case "--preload" ->
                    preloads = Arrays.stream(args[++i].split(","))
                            .map(s -> Integer.parseInt(s.replace("_", "")))
                            .toList();
                case "--stream" -> stream = Integer.parseInt(args[++i]);
                case "--dev" -> dev = true;
                case "--grid" -> grid = true;
                case "--no-batch" -> noBatch = true;
                case "--single" -> single = Double.parseDouble(args[++i]);
                case "--cohesion" -> cohesion = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        List<String> labels = new ArrayList<>();
        for (String[] e : EvaluateMode.manifest(identity)) {
            labels.add(e[1]);
        }
        CalibratedFaces.Labelled real = CalibratedFaces.read(embeddings, labels);
        var settings =
                new IncrementalClustering.Settings(match, group, min, nsim, k, Math.max(single, match), cohesion);
        System.out.printf(
                Locale.ROOT,
                "settings: match %.2f (single %.2f, cohesion margin %.2f) group %.2f min %d nsim %.2f k %d batch-cut %.2f%n",
                match,
                single,
                cohesion,
                group,
                min,
                nsim,
                k,
                batchCut);
        if (dev && grid) {
            for (double m : new double[] {0.31, 0.33, 0.35, 0.37}) {
                for (double one : new double[] {0, 0.42, 0.45, 0.50}) {
                    for (double g : new double[] {0.38, 0.40, 0.42, 0.45}) {
                        var st = new IncrementalClustering.Settings(m, g, min, g - 0.05, k, Math.max(one, m), 0);
                        System.out.printf(Locale.ROOT, "grid match %.2f single %.2f group %.2f:%n", m, one, g);
                        dev(real, st, batchCut);
                    }
                }
            }
            return;
        }
        if (dev) {
            dev(real, settings, batchCut);
            return;
        }
        CalibratedFaces faces = CalibratedFaces.from(real).fit(real);
        System.out.println("real:      " + CalibratedFaces.stats(real.rows(), real.labels()));
        System.out.println("synthetic: " + faces.syntheticStats(300, 8));
        for (int n : preloads) {
            library(faces, n, stream, settings, batchCut, noBatch);
        }
    }

    /** Dev subsets of 30 / 60 / all people: stream (batches of 10, shuffled) and batch F1, 5 random subsets each. */
    static void dev(CalibratedFaces.Labelled real, IncrementalClustering.Settings settings, double batchCut) {
        List<String> people = new ArrayList<>(new LinkedHashSet<>(real.labels()));
        for (int size : new int[] {30, 60, people.size()}) {
            double sf = 0;
            double bf = 0;
            int reps = size == people.size() ? 1 : 5;
            StringBuilder detail = new StringBuilder();
            for (int rep = 0; rep < reps; rep++) {
                List<String> pick = new ArrayList<>(people);
                Collections.shuffle(pick, new Random(rep));
                Set<String> chosen = new HashSet<>(pick.subList(0, size));
                List<float[]> rows = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < real.rows().length; i++) {
                    if (chosen.contains(real.labels().get(i))) {
                        rows.add(real.rows()[i]);
                        ids.add(real.labels().get(i));
                    }
                }
                long[] truth = new long[rows.size()];
                Map<String, Long> num = new HashMap<>();
                for (int i = 0; i < truth.length; i++) {
                    truth[i] = num.computeIfAbsent(ids.get(i), x -> (long) num.size());
                }
                float[][] x = rows.toArray(new float[0][]);
                // stream: shuffled order, batches of 10, every face its own photo
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < x.length; i++) {
                    order.add(i);
                }
                Collections.shuffle(order, new Random(42));
                IncrementalClustering c = new IncrementalClustering(settings, 16, 16);
                long[] pred = new long[x.length];
                Arrays.fill(pred, -1);
                long[] next = {1};
                for (int s = 0; s < order.size(); s += 10) {
                    List<IncrementalClustering.Face> batch = new ArrayList<>();
                    for (int i : order.subList(s, Math.min(order.size(), s + 10))) {
                        batch.add(new IncrementalClustering.Face(i, "img" + i, x[i]));
                    }
                    step(c, batch, IncrementalClustering.SlotPersons.NONE, pred, next);
                }
                PairwiseScore st = PairwiseScore.of(truth, pred);
                PairwiseScore bt = PairwiseScore.of(truth, batch(x, batchCut, settings.minFaces()));
                sf += st.f1();
                bf += bt.f1();
                detail.append(String.format(Locale.ROOT, " [%s | %s]", st, bt));
            }
            System.out.printf(
                    Locale.ROOT,
                    "dev %3d people: stream F1 %.4f  batch F1 %.4f %s%n",
                    size,
                    sf / reps,
                    bf / reps,
                    reps == 1 ? detail : "");
        }
    }

    static long[] batch(float[][] x, double cut, int min) {
        KnnGraph g = KnnGraph.build(x, Math.min(cut, 0.3), 32, 3, 1);
        int[] l = SparseAverageLinkage.cluster(x, g, cut, min);
        long[] out = new long[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = l[i];
        }
        return out;
    }

    /** How the largest identities are split over predicted persons. */
    static void diagnose(String what, long[] truth, long[] pred) {
        Map<Long, Map<Long, Integer>> byId = new HashMap<>();
        for (int i = 0; i < truth.length; i++) {
            byId.computeIfAbsent(truth[i], k -> new HashMap<>())
                    .merge(pred[i] < 0 ? -1L - i : pred[i], 1, Integer::sum);
        }
        List<Map.Entry<Long, Map<Long, Integer>>> ids = new ArrayList<>(byId.entrySet());
        ids.sort((a, b) -> Integer.compare(
                b.getValue().values().stream().mapToInt(Integer::intValue).sum(),
                a.getValue().values().stream().mapToInt(Integer::intValue).sum()));
        StringBuilder sb = new StringBuilder("  " + what + " split of the largest identities:");
        for (var e : ids.subList(0, Math.min(5, ids.size()))) {
            List<Integer> parts = new ArrayList<>(e.getValue().values());
            parts.sort(Collections.reverseOrder());
            int singles = 0;
            for (var p : e.getValue().entrySet()) {
                singles += p.getKey() < 0 ? 1 : 0;
            }
            sb.append(" ")
                    .append(parts.subList(0, Math.min(4, parts.size())))
                    .append("(")
                    .append(singles)
                    .append(" alone)");
        }
        System.out.println(sb);
    }

    /** One batch: plan, "write" (ids for new persons), apply. */
    static IncrementalClustering.Plan step(
            IncrementalClustering c,
            List<IncrementalClustering.Face> batch,
            IncrementalClustering.SlotPersons slots,
            long[] pred,
            long[] nextPerson) {
        IncrementalClustering.Plan plan = c.place(batch, slots);
        List<Long> ids = new ArrayList<>();
        for (int g = 0; g < plan.newPersons().size(); g++) {
            long id = nextPerson[0]++;
            ids.add(id);
            for (Long f : plan.newPersons().get(g)) {
                pred[(int) (long) f] = id;
            }
        }
        for (var m : plan.matches().entrySet()) {
            pred[(int) (long) m.getKey()] = m.getValue();
        }
        c.apply(plan, ids);
        return plan;
    }

    static void library(
            CalibratedFaces faces,
            int preload,
            int streamed,
            IncrementalClustering.Settings settings,
            double batchCut,
            boolean noBatch) {
        long t0 = System.nanoTime();
        SyntheticLibrary lib = new SyntheticLibrary(faces, SyntheticLibrary.Params.DEFAULT, 1);
        int n = preload + streamed;
        float[][] x = new float[n][];
        long[] truth = new long[n];
        long[] photo = new long[n];
        boolean[] stranger = new boolean[n];
        for (SyntheticLibrary.Face f : lib.next(n)) {
            int i = (int) f.index();
            x[i] = f.embedding();
            truth[i] = f.person();
            photo[i] = f.photo();
            stranger[i] = f.stranger();
        }
        Map<Long, Integer> sizes = new HashMap<>();
        for (int i = 0; i < preload; i++) {
            sizes.merge(truth[i], 1, Integer::sum);
        }
        int strangers = 0;
        for (boolean s : stranger) {
            strangers += s ? 1 : 0;
        }
        int[] top = sizes.values().stream()
                .sorted(Collections.reverseOrder())
                .mapToInt(Integer::intValue)
                .limit(3)
                .toArray();
        long multi = sizes.values().stream().filter(s -> s >= 2).count();
        System.out.printf(
                Locale.ROOT,
                "library %d + %d: %.1f%% strangers, %d people with 2+ faces in the preload, largest %s (%.1f s)%n",
                preload,
                streamed,
                100.0 * strangers / n,
                multi,
                Arrays.toString(top),
                (System.nanoTime() - t0) / 1e9);
        // preload: the planted identities with 2+ faces are persons, the rest is the pool
        int probes = Integer.getInteger("lab.probes", 16);
        IncrementalClustering c =
                new IncrementalClustering(settings, probes, Integer.getInteger("lab.personProbes", 16));
        long[] pred = new long[n];
        Arrays.fill(pred, -1);
        Map<Long, List<float[]>> members = new HashMap<>();
        List<IncrementalClustering.Face> pool = new ArrayList<>();
        Map<String, Set<Long>> slotPersons = new HashMap<>();
        for (int i = 0; i < preload; i++) {
            if (sizes.get(truth[i]) >= 2) {
                pred[i] = truth[i];
                members.computeIfAbsent(truth[i], kk -> new ArrayList<>()).add(x[i]);
                slotPersons
                        .computeIfAbsent("p" + photo[i], kk -> new HashSet<>())
                        .add(truth[i]);
            } else {
                pool.add(new IncrementalClustering.Face(i, "p" + photo[i], x[i]));
            }
        }
        Map<Long, PersonCentroids.Centroid> centroids = new HashMap<>();
        members.forEach((p, vs) -> {
            float[] s = new float[vs.get(0).length];
            for (float[] v : vs) {
                for (int d = 0; d < s.length; d++) {
                    s[d] += v[d];
                }
            }
            centroids.put(p, new PersonCentroids.Centroid(s, vs.size()));
        });
        c.persons().putAll(centroids);
        c.addToPool(pool);
        long tw = System.nanoTime();
        int warm = c.warmUp(20, 50, IncrementalClustering.SlotPersons.NONE);
        System.out.printf(Locale.ROOT, "  warm-up: %d batches in %.1f s%n", warm, (System.nanoTime() - tw) / 1e9);
        long[] next = {SyntheticLibrary.STRANGERS * 4};
        long[] times = new long[(streamed + 49) / 50];
        int b = 0;
        for (int s = preload; s < n; s += 50) {
            List<IncrementalClustering.Face> batch = new ArrayList<>();
            for (int i = s; i < Math.min(n, s + 50); i++) {
                batch.add(new IncrementalClustering.Face(i, "p" + photo[i], x[i]));
            }
            IncrementalClustering.SlotPersons slots = wanted -> {
                Map<String, Set<Long>> out = new HashMap<>();
                for (String w : wanted) {
                    if (slotPersons.containsKey(w)) {
                        out.put(w, slotPersons.get(w));
                    }
                }
                return out;
            };
            long a = System.nanoTime();
            var plan = step(c, batch, slots, pred, next);
            times[b++] = System.nanoTime() - a;
            plan.matches()
                    .forEach((f, p) -> slotPersons
                            .computeIfAbsent(plan.slots().get(f), kk -> new HashSet<>())
                            .add(p));
            for (int g = 0; g < plan.newPersons().size(); g++) {
                for (Long f : plan.newPersons().get(g)) {
                    slotPersons
                            .computeIfAbsent(plan.slots().get(f), kk -> new HashSet<>())
                            .add(pred[(int) (long) f]);
                }
            }
        }
        long[] first = Arrays.copyOf(times, Math.min(8, times.length));
        Arrays.sort(times);
        long[] tStream = Arrays.copyOfRange(truth, preload, n);
        long[] pStream = Arrays.copyOfRange(pred, preload, n);
        PairwiseScore st = PairwiseScore.of(tStream, pStream);
        String streamLine = String.format(
                Locale.ROOT,
                "  stream: %s  batch p50 %.1f ms p99 %.1f ms max %.1f ms (first %s ms), pool %d, persons %d",
                st,
                times[times.length / 2] / 1e6,
                times[(int) (times.length * 0.99)] / 1e6,
                times[times.length - 1] / 1e6,
                Arrays.toString(Arrays.stream(first).map(v -> v / 1_000_000).toArray()),
                c.poolSize(),
                c.persons().size());
        if (noBatch) {
            System.out.println(streamLine);
            return;
        }
        long t1 = System.nanoTime();
        long[] bl = batch(x, batchCut, settings.minFaces());
        PairwiseScore bt = PairwiseScore.of(tStream, Arrays.copyOfRange(bl, preload, n));
        PairwiseScore all = PairwiseScore.of(truth, bl);
        diagnose("stream", Arrays.copyOfRange(truth, preload, n), Arrays.copyOfRange(pred, preload, n));
        { // alone faces of the largest identity: their linkage to the identity's main batch cluster
            Map<Long, Integer> cnt = new HashMap<>();
            for (int i = preload; i < n; i++) cnt.merge(truth[i], 1, Integer::sum);
            long topId = cnt.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .get()
                    .getKey();
            Map<Long, Integer> cl = new HashMap<>();
            for (int i = 0; i < n; i++) if (truth[i] == topId && bl[i] >= 0) cl.merge(bl[i], 1, Integer::sum);
            long main = cl.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .get()
                    .getKey();
            float[] sum = new float[x[0].length];
            int m = 0;
            for (int i = 0; i < n; i++)
                if (bl[i] == main) {
                    m++;
                    for (int d = 0; d < sum.length; d++) sum[d] += x[i][d];
                }
            StringBuilder sb = new StringBuilder(
                    "  alone faces of the top identity, linkage to its main cluster (" + m + " faces):");
            int shown = 0;
            for (int i = 0; i < n && shown < 12; i++)
                if (truth[i] == topId && bl[i] < 0) {
                    double s2 = 0;
                    for (int d = 0; d < sum.length; d++) s2 += x[i][d] * sum[d];
                    sb.append(String.format(Locale.ROOT, " %s%.3f", i >= preload ? "S" : "P", s2 / m));
                    shown++;
                }
            int alonePre = 0, alonePost = 0, pre = 0, post = 0;
            for (int i = 0; i < n; i++)
                if (truth[i] == topId) {
                    if (i < preload) {
                        pre++;
                        if (bl[i] < 0) alonePre++;
                    } else {
                        post++;
                        if (bl[i] < 0) alonePost++;
                    }
                }
            System.out.println(
                    sb + String.format(" | alone: preload %d/%d, streamed %d/%d", alonePre, pre, alonePost, post));
        }
        diagnose("batch", Arrays.copyOfRange(truth, preload, n), Arrays.copyOfRange(bl, preload, n));
        System.out.println(streamLine);
        System.out.printf(
                Locale.ROOT,
                "  batch:  %s on the streamed faces, %s on all (%.1f s)%n",
                bt,
                all,
                (System.nanoTime() - t1) / 1e9);
    }
}
