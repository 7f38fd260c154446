package io.facerec.launcher;

import io.facerec.common.persistence.PipelineQueries;
import io.facerec.gallery.security.AccessToken;
import io.facerec.launcher.infra.EmbeddedBroker;
import io.facerec.launcher.infra.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole production chain in one JVM on embedded defaults: embedded PostgreSQL (logical WAL), an in-process KRaft
 * Kafka broker, the Debezium engine and the detector, embedder and clusterer workers. Close it to stop everything.
 */
public final class EmbeddedPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPipeline.class);

    private final EmbeddedDatabase database;
    private final EmbeddedBroker broker;
    private final ConfigurableApplicationContext context;
    private final Duration startup;

    private EmbeddedPipeline(
            EmbeddedDatabase database,
            EmbeddedBroker broker,
            ConfigurableApplicationContext context,
            Duration startup) {
        this.database = database;
        this.broker = broker;
        this.context = context;
        this.startup = startup;
    }

    /**
     * @param dataDir where the database, broker logs and capture offsets live
     * @param mediaRoot the folder {@code MediaFile.FilePath} is relative to
     * @param overrides extra Spring properties (e.g. thresholds, thumbnails directory)
     */
    public static EmbeddedPipeline start(
            Path dataDir, Path mediaRoot, Map<String, Object> overrides, Consumer<String> status) throws IOException {
        return start(dataDir, mediaRoot, overrides, status, false);
    }

    /** @param keepData reopen the database an earlier run left in {@code dataDir} instead of starting fresh */
    public static EmbeddedPipeline start(
            Path dataDir, Path mediaRoot, Map<String, Object> overrides, Consumer<String> status, boolean keepData)
            throws IOException {
        return start(dataDir, mediaRoot, overrides, status, keepData, null);
    }

    /**
     * @param webPort serve the gallery (and actuator) on this port (0 = any free port); null = no web server. The
     *     gallery listens on 127.0.0.1 ({@code server.address} in {@code overrides} opens it elsewhere) and lets in only
     *     whoever opens {@link #gallerySignInUrl()} ({@code facerec.gallery.security.mode=TOKEN}; overrides may set
     *     {@code ACCOUNTS} with users instead)
     */
    public static EmbeddedPipeline start(
            Path dataDir,
            Path mediaRoot,
            Map<String, Object> overrides,
            Consumer<String> status,
            boolean keepData,
            Integer webPort)
            throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dataDir);
        status.accept("starting embedded PostgreSQL and the Kafka broker (KRaft, in-process)");
        // the two servers do not depend on each other: start them side by side
        CompletableFuture<EmbeddedBroker> brokerStart = CompletableFuture.supplyAsync(() -> {
            try {
                return EmbeddedBroker.start(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        EmbeddedDatabase db;
        try {
            db = EmbeddedDatabase.start(dataDir, !keepData);
        } catch (IOException | RuntimeException e) {
            brokerStart.thenAccept(EmbeddedBroker::close);
            throw e;
        }
        EmbeddedBroker broker = null;
        try {
            try {
                broker = brokerStart.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof UncheckedIOException u) {
                    throw u.getCause();
                }
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            Map<String, Object> props = new HashMap<>();
            props.put("spring.datasource.url", db.jdbcUrl());
            props.put("spring.datasource.username", db.user());
            props.put("spring.datasource.password", db.password());
            props.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
            props.put("facerec.media-root", mediaRoot.toAbsolutePath().toString());
            props.put(
                    "facerec.capture.offset-file",
                    dataDir.resolve("capture-offsets.dat").toString());
            props.put(
                    "facerec.capture.schema-history-file",
                    dataDir.resolve("capture-history.dat").toString());
            if (webPort != null) {
                props.put("server.port", webPort);
                props.put("server.address", "127.0.0.1");
                props.put("facerec.gallery.security.mode", "TOKEN");
            }
            props.putAll(overrides);
            if (!props.containsKey("facerec.portraits-dir") && props.containsKey("facerec.thumbnails-dir")) {
                // the portraits beside the thumbnails (./individuals_portraits beside ./Thumbnails by default)
                props.put(
                        "facerec.portraits-dir",
                        Path.of(String.valueOf(props.get("facerec.thumbnails-dir")))
                                .toAbsolutePath()
                                .resolveSibling("individuals_portraits")
                                .toString());
            }
            status.accept("starting capture and workers");
            ConfigurableApplicationContext ctx = new SpringApplicationBuilder(FacerecApplication.class)
                    .web(webPort == null ? WebApplicationType.NONE : WebApplicationType.SERVLET)
                    .logStartupInfo(false)
                    .run(toArgs(props));
            Duration startup = Duration.ofNanos(System.nanoTime() - t0);
            log.info("embedded pipeline up in {} ms", startup.toMillis());
            return new EmbeddedPipeline(db, broker, ctx, startup);
        } catch (RuntimeException | IOException e) {
            if (broker != null) {
                broker.close();
            }
            db.close();
            throw e;
        }
    }

    /** As command-line properties: they win over every property file, as a user's flags should. */
    static String[] toArgs(Map<String, Object> props) {
        return props.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public PipelineQueries queries() {
        return context.getBean(PipelineQueries.class);
    }

    public Duration startup() {
        return startup;
    }

    /** The gallery's address (pages under it need a session), or null without a web server. */
    public String galleryUrl() {
        String port = context.getEnvironment().getProperty("local.server.port");
        if (port == null) {
            return null;
        }
        String address = context.getEnvironment().getProperty("server.address", "127.0.0.1");
        String host;
        try {
            InetAddress a = InetAddress.getByName(address);
            host = a.isAnyLocalAddress()
                    ? "localhost"
                    : a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : address;
        } catch (UnknownHostException e) {
            host = address;
        }
        return "http://" + host + ":" + port + "/";
    }

    /**
     * The one address to open: the gallery with this run's token, which signs the browser in (the token changes with
     * every run); without a token mode, {@link #galleryUrl()}. Null without a web server.
     */
    public String gallerySignInUrl() {
        String url = galleryUrl();
        var token = context.getBeanProvider(AccessToken.class).getIfAvailable();
        return url == null || token == null ? url : url + "?" + AccessToken.PARAMETER + "=" + token.value();
    }

    public String jdbcUrl() {
        return database.jdbcUrl();
    }

    /** The embedded database's user and password (also in {@code <data dir>/postgres.password}), for more workers. */
    public String jdbcUser() {
        return database.user();
    }

    public String jdbcPassword() {
        return database.password();
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    private final AtomicBoolean closed = new AtomicBoolean();

    /** Stops everything, once (a second call, e.g. from a shutdown hook, does nothing). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            context.close();
        } catch (RuntimeException e) {
            log.warn("stopping workers: {}", e.getMessage());
        }
        try {
            broker.close();
        } catch (RuntimeException e) {
            log.warn("stopping broker: {}", e.getMessage());
        }
        try {
            database.close();
        } catch (IOException e) {
            log.warn("stopping database: {}", e.getMessage());
        }
    }
}
