package io.facerec.bench;

import ai.onnxruntime.OrtSession;
import io.facerec.common.inference.OnnxSessions;
import io.facerec.common.model.ModelFile;
import io.facerec.common.model.ModelStore;
import io.facerec.embedder.embed.EmbeddingModelSpec;
import io.facerec.embedder.embed.FaceEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedder's inference on the GPU against the CPU, in one run ({@code bench/gpu-embedder.sh}): the worker's own
 * {@link FaceEmbedder#embedAll} on the same preprocessed faces, first with the CPU provider (all cores), then with the
 * CUDA provider from 1, 2 and 4 threads sharing the session ({@code fr_feature} has a fixed batch of one, so a GPU is
 * fed by concurrent calls; a model with a dynamic batch dimension gets runs of 32 per call). The embeddings of both
 * providers are compared (cosine). The last line is one JSON object.
 *
 * <pre>java -cp bench/target/facerec-bench.jar -Dloader.main=io.facerec.bench.GpuEmbedderBench \
 *   org.springframework.boot.loader.launch.PropertiesLauncher [faces, default 2000]</pre>
 */
public final class GpuEmbedderBench {
    private static final int DISTINCT_INPUTS = 256;
    private static final int RUN = 32;

    private GpuEmbedderBench() {}

    public static void main(String[] args) throws Exception {
        int faces = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        EmbeddingModelSpec spec = EmbeddingModelSpec.FR_FEATURE;
        Path model = ModelStore.fromEnvironment().resolve(ModelFile.FR_FEATURE);
        int n = spec.inputSize();
        Random random = new Random(7);
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < DISTINCT_INPUTS; i++) {
            float[] x = new float[3 * n * n];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) Math.max(-1, Math.min(1, random.nextGaussian() * 0.5));
            }
            inputs.add(x);
        }
        double cpu;
        List<float[]> cpuOut;
        try (FaceEmbedder e = new FaceEmbedder(spec, model, 0, false)) {
            cpuOut = e.embedAll(inputs.subList(0, 64), RUN);
            cpu = facesPerSecond(e, inputs, faces, 1);
        }
        String provider;
        double[] gpu = new double[3];
        double minCosine = 1;
        try (FaceEmbedder e = new FaceEmbedder(spec, model, 1, true)) {
            provider = providerOf(model);
            List<float[]> gpuOut = e.embedAll(inputs.subList(0, 64), RUN);
            for (int i = 0; i < gpuOut.size(); i++) {
                double dot = 0;
                for (int j = 0; j < spec.dimension(); j++) {
                    dot += gpuOut.get(i)[j] * cpuOut.get(i)[j];
                }
                minCosine = Math.min(minCosine, dot);
            }
            int[] threads = {1, 2, 4};
            for (int t = 0; t < threads.length; t++) {
                gpu[t] = facesPerSecond(e, inputs, faces, threads[t]);
            }
        }
        double best = Math.max(gpu[0], Math.max(gpu[1], gpu[2]));
        System.out.printf(
                Locale.ROOT,
                "{\"faces\":%d,\"cpu_faces_per_s\":%.1f,\"gpu_provider\":\"%s\","
                        + "\"gpu_faces_per_s_1_thread\":%.1f,\"gpu_faces_per_s_2_threads\":%.1f,\"gpu_faces_per_s_4_threads\":%.1f,"
                        + "\"gpu_over_cpu\":%.2f,\"min_cosine_gpu_cpu\":%.6f}%n",
                faces,
                cpu,
                provider,
                gpu[0],
                gpu[1],
                gpu[2],
                best / cpu,
                minCosine);
    }

    /** The provider the most recently opened session of this model asked for ({@code CUDA} or {@code CPU}). */
    private static String providerOf(Path model) {
        String provider = "none";
        for (Map.Entry<OrtSession, OnnxSessions.OpenSession> s : OnnxSessions.open()) {
            if (s.getValue().model().equals(model.toAbsolutePath().normalize())) {
                provider = s.getValue().provider();
            }
        }
        return provider;
    }

    private static double facesPerSecond(FaceEmbedder e, List<float[]> inputs, int faces, int threads)
            throws Exception {
        e.embedAll(inputs.subList(0, RUN), RUN); // warm-up
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            running.add(pool.submit(() -> {
                for (int from = next.getAndAdd(RUN); from < faces; from = next.getAndAdd(RUN)) {
                    List<float[]> run = new ArrayList<>(RUN);
                    for (int i = from; i < Math.min(faces, from + RUN); i++) {
                        run.add(inputs.get(i % inputs.size()));
                    }
                    e.embedAll(run, RUN);
                }
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        return faces / ((System.nanoTime() - t0) / 1e9);
    }
}
