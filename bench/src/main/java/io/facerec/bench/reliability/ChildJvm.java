package io.facerec.bench.reliability;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * One part of the pipeline in its own JVM, started from the same class path as this one (the fat jar through Spring
 * Boot's {@code PropertiesLauncher}, or the test class path), so that it can be killed hard ({@code kill -9}) and
 * started again. Output goes to {@code <workDir>/<name>.out}; the process runs in {@code workDir} (its
 * {@code logs/} folder lands there).
 */
final class ChildJvm implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    private final String mainClass;
    private final List<String> jvmArgs;
    private final List<String> args;
    private final Path workDir;
    private final int httpPort;
    private Process process;
    private int starts;

    /** @param httpPort the Spring Boot server port to poll for health and metrics; 0 when there is none */
    ChildJvm(String name, String mainClass, List<String> jvmArgs, List<String> args, Path workDir, int httpPort) {
        this.name = name;
        this.mainClass = mainClass;
        this.jvmArgs = jvmArgs;
        this.args = args;
        this.workDir = workDir;
        this.httpPort = httpPort;
    }

    int httpPort() {
        return httpPort;
    }

    synchronized void start() throws IOException {
        Files.createDirectories(workDir);
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmArgs);
        // absolute: the child runs in its own folder (a script's relative -cp would not resolve there)
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        cmd.add("-cp");
        cmd.add(cp);
        if (isBootJar(cp)) {
            cmd.add("-Dloader.main=" + mainClass);
            cmd.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        } else {
            cmd.add(mainClass);
        }
        cmd.addAll(args);
        starts++;
        process = new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        workDir.resolve(name + ".out").toFile()))
                .start();
    }

    private static boolean isBootJar(String cp) {
        if (cp.contains(File.pathSeparator) || !cp.endsWith(".jar")) {
            return false;
        }
        try (var jar = new JarFile(cp)) {
            return jar.getEntry("BOOT-INF/") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until {@code /actuator/health} answers UP (or, without a server, until {@code marker} is printed). */
    void awaitReady(Duration timeout, String marker) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with " + process.exitValue() + "; see " + workDir.resolve(name + ".out"));
            }
            if (httpPort > 0) {
                String body = get("/actuator/health");
                if (body != null && body.contains("\"status\":\"UP\"")) {
                    return;
                }
            } else if (marker != null
                    && Files.exists(workDir.resolve(name + ".out"))
                    && Files.readString(workDir.resolve(name + ".out")).contains(marker)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                name + " not ready within " + timeout + "; see " + workDir.resolve(name + ".out"));
    }

    /** GET on the child's server; null when it does not answer. */
    String get(String path) {
        if (httpPort <= 0) {
            return null;
        }
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** {@code kill -9}: no shutdown hook, no offset commit, no flush. */
    synchronized void killHard() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM and wait: a clean stop. */
    synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    int starts() {
        return starts;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
