package io.facerec.detector.capture;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.facerec.common.event.MediaItemCaptured;
import io.facerec.common.messaging.EventSink;
import io.facerec.common.messaging.Topics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the Debezium embedded engine on {@code MediaItems} and publishes one {@link MediaItemCaptured} per new row to
 * {@link Topics#MEDIA_ITEMS_CAPTURED}, keyed by media item id. Each batch the engine hands over is published at once
 * and its offsets are committed only after the broker acknowledged every record of it (at-least-once; the detector is
 * idempotent). The engine's state changes only through {@link #transition}, which logs every change. When the engine stops with an
 * error while running (the database or the broker gone for longer than Debezium's own retries), it is started again
 * from the committed offsets after a back-off (5 s doubling to 60 s) for as long as this instance runs.
 */
public class MediaItemCapture implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(MediaItemCapture.class);

    /** Engine states, in order. STANDBY: another instance holds the capture lock; this one waits to take over. */
    public enum State {
        NEW,
        STANDBY,
        STARTING,
        RUNNING,
        STOPPED,
        FAILED
    }

    private final Properties config;
    private final EventSink events;
    private volatile CountDownLatch started = new CountDownLatch(1);
    private volatile boolean stopping;
    private int failuresInARow;
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "media-item-capture-restart");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong restartCount = new AtomicLong();
    private volatile Instant lastPublishedAt;
    private volatile State state = State.NEW;
    private volatile Throwable failure;
    private DebeziumEngine<ChangeEvent<String, String>> engine;
    private ExecutorService executor;

    private final CaptureLock lock;
    private ScheduledExecutorService standby;

    /** @param lock the single-instance lock; null runs without one (tests, a database of one's own) */
    public MediaItemCapture(Properties config, EventSink events, CaptureLock lock) {
        this.config = config;
        this.events = events;
        this.lock = lock;
    }

    @Override
    public synchronized void start() {
        if (state == State.RUNNING || state == State.STARTING || state == State.STANDBY) {
            return;
        }
        if (lock != null && !lock.tryAcquire()) {
            transition(State.STANDBY, "another capture instance holds the capture lock; standing by to take over");
            standby = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "media-item-capture-standby"));
            standby.scheduleWithFixedDelay(this::takeOverIfFree, 10, 10, TimeUnit.SECONDS);
            return;
        }
        startEngine();
    }

    private synchronized void takeOverIfFree() {
        if (state == State.STANDBY && lock.tryAcquire()) {
            log.info("Capture lock acquired: this instance takes over change data capture");
            standby.shutdown();
            startEngine();
        }
    }

    private void startEngine() {
        transition(State.STARTING, config.getProperty("connector.class"));
        started = new CountDownLatch(1);
        CountDownLatch startedNow = started;
        try {
            Files.createDirectories(
                    Path.of(config.getProperty("offset.storage.file.filename")).getParent());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the capture offsets directory", e);
        }
        engine = DebeziumEngine.create(Json.class)
                .using(config)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        transition(State.RUNNING, "capturing MediaItems");
                        startedNow.countDown();
                    }
                })
                .using((success, message, error) -> {
                    if (!success) {
                        failure = error;
                        transition(State.FAILED, message);
                        log.error("Change data capture stopped: {}", message, error);
                        if (!stopping && startedNow.getCount() == 0) {
                            scheduleRestart(); // it had been running: come back from the committed offsets
                        }
                    }
                    startedNow.countDown();
                })
                .notifying(this::handleBatch)
                .build();
        executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "media-item-capture"));
        executor.execute(engine);
        try {
            if (!startedNow.await(60, TimeUnit.SECONDS)) {
                log.warn("Change data capture has not started after 60 s; continuing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (state == State.FAILED) {
            throw new IllegalStateException(
                    "change data capture failed to start: " + (failure == null ? "see log" : failure.getMessage()),
                    failure);
        }
    }

    private synchronized void scheduleRestart() {
        long delay = Math.min(60, 5L << Math.min(4, failuresInARow++));
        log.warn("Change data capture restarts in {} s (failure {} in a row)", delay, failuresInARow);
        restarts.schedule(this::restart, delay, TimeUnit.SECONDS);
    }

    private synchronized void restart() {
        if (stopping || state != State.FAILED) {
            return;
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        try {
            restartCount.incrementAndGet();
            startEngine();
            failuresInARow = 0;
        } catch (RuntimeException e) {
            log.error("Change data capture could not restart: {}", e.getMessage());
            scheduleRestart();
        }
    }

    private void handleBatch(
            List<ChangeEvent<String, String>> records,
            DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
            throws InterruptedException {
        List<MediaItemCaptured> captured = new ArrayList<>(records.size());
        for (ChangeEvent<String, String> r : records) {
            try {
                ChangeEventMapper.map(r.value()).ifPresent(captured::add);
            } catch (IllegalArgumentException bad) {
                log.error("Skipping unreadable change event: {}", bad.getMessage());
            }
        }
        try {
            events.publish(captured); // the whole batch at once, acknowledged before anything is committed
            if (!captured.isEmpty()) {
                published.addAndGet(captured.size());
                lastPublishedAt = Instant.now();
            }
        } catch (RuntimeException e) {
            // Not committed: the engine stops and the batch is captured again on restart.
            throw new IllegalStateException("cannot publish captured media items to Kafka", e);
        }
        for (ChangeEvent<String, String> r : records) {
            committer.markProcessed(r);
        }
        committer.markBatchFinished();
    }

    /** The one place the state changes; every change is logged. */
    private void transition(State to, String why) {
        State from = state;
        state = to;
        if (from != to) {
            log.info("Change data capture {} -> {}{}", from, to, why == null ? "" : ": " + why);
        }
    }

    public State state() {
        return state;
    }

    /** Media items published since start. */
    public long published() {
        return published.get();
    }

    /** Restarts after a failure since start. */
    public long restarts() {
        return restartCount.get();
    }

    /** When the last media item was published; null before the first. */
    public Instant lastPublishedAt() {
        return lastPublishedAt;
    }

    /** The error that stopped the engine last; null when it never failed. */
    public Throwable lastFailure() {
        return failure;
    }

    /** Debezium's logical server name ({@code topic.prefix}), which names its metrics. */
    String serverName() {
        return config.getProperty("topic.prefix");
    }

    /**
     * Debezium's streaming metrics of this engine (its JMX bean {@code debezium.<connector>:type=connector-metrics,
     * context=streaming,server=<topic prefix>}): {@code Connected}, {@code MilliSecondsBehindSource} (the lag to the
     * database: from a change's commit there to its capture here), {@code MilliSecondsSinceLastEvent},
     * {@code TotalNumberOfEventsSeen}. Empty while the engine has not started streaming.
     */
    public Map<String, Object> streamingMetrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            var names = server.queryNames(
                    new ObjectName(
                            "debezium.*:type=connector-metrics," + "context=streaming,server=" + serverName() + ",*"),
                    null);
            if (names.isEmpty()) {
                names = server.queryNames(
                        new ObjectName("debezium.*:type=connector-metrics," + "context=streaming,*"), null);
            }
            for (ObjectName n : names) {
                for (String a : List.of(
                        "Connected",
                        "MilliSecondsBehindSource",
                        "MilliSecondsSinceLastEvent",
                        "TotalNumberOfEventsSeen")) {
                    try {
                        m.put(a, server.getAttribute(n, a));
                    } catch (JMException | RuntimeException ignored) {
                        // an attribute this connector does not have
                    }
                }
                break;
            }
        } catch (JMException | RuntimeException e) {
            log.debug("no Debezium streaming metrics: {}", e.getMessage());
        }
        return m;
    }

    @Override
    public synchronized void stop() {
        stopping = true;
        restarts.shutdownNow();
        if (standby != null) {
            standby.shutdownNow();
        }
        if (engine == null) {
            if (lock != null) {
                lock.close();
            }
            if (state == State.STANDBY) {
                transition(State.STOPPED, "stopped while standing by");
            }
            return;
        }
        try {
            engine.close();
        } catch (IOException e) {
            log.warn("Closing change data capture: {}", e.getMessage());
        }
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engine = null;
        transition(State.STOPPED, "stopped");
        if (lock != null) {
            lock.close();
        }
    }

    @Override
    public boolean isRunning() {
        return state == State.RUNNING || state == State.STARTING || state == State.STANDBY;
    }

    @Override
    public int getPhase() {
        // after the Kafka listeners (default phase) so consumers exist; stopped before them
        return Integer.MAX_VALUE - 100;
    }
}
