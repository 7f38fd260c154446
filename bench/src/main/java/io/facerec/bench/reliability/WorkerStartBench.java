package io.facerec.bench.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.util.FileSystemUtils;

/**
 * How long a worker JVM takes from its launch to {@code /actuator/health} UP, each worker started alone against a
 * running database and broker (the rest of the machine quiet), several times: the figure an operator sees when a
 * container is replaced or scaled out. Prints each start, the load average before it, and on its last line one JSON
 * object with each worker's median.
 *
 * <pre>bench/worker-start.sh [--rounds 3]</pre>
 */
public final class WorkerStartBench {
    private WorkerStartBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("facerec-worker-start");
        Path media = Files.createDirectories(work.resolve("media"));
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        boolean done = false;
        try (PipelineStack stack = new PipelineStack(work, media)) {
            stack.broker.start();
            stack.broker.awaitReady(Duration.ofMinutes(2), "BROKER READY");
            for (int r = 0; r < rounds; r++) {
                for (ChildJvm w : stack.workers()) {
                    Thread.sleep(3_000); // let the machine settle after the previous one
                    String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
                    long t0 = System.nanoTime();
                    w.start();
                    w.awaitReady(Duration.ofMinutes(4), null);
                    double s = (System.nanoTime() - t0) / 1e9;
                    seconds.computeIfAbsent(w.name, k -> new ArrayList<>()).add(s);
                    System.err.printf(
                            Locale.ROOT, "%s: ready (health UP) in %.1f s; load average before %s%n", w.name, s, load);
                    w.stop();
                }
            }
            done = true;
        } finally {
            if (done) {
                FileSystemUtils.deleteRecursively(work);
            } else {
                System.err.println("left for a look: " + work);
            }
        }
        List<String> fields = new ArrayList<>();
        for (var e : seconds.entrySet()) {
            List<Double> s = e.getValue().stream().sorted().toList();
            fields.add(String.format(Locale.ROOT, "\"%s_ready_s\":%.1f", e.getKey(), s.get(s.size() / 2)));
        }
        fields.add("\"cores\":" + Runtime.getRuntime().availableProcessors());
        System.out.println("{" + String.join(",", fields) + "}");
        System.exit(0);
    }
}
