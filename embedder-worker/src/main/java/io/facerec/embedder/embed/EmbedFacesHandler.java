package io.facerec.embedder.embed;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.error.TransientFailures;
import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.event.FacesDetected;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.messaging.BatchWork;
import io.facerec.common.messaging.DeadLetterPublisher;
import io.facerec.common.messaging.EventSink;
import io.facerec.common.persistence.FaceRepository.NewEmbedding;
import io.facerec.common.persistence.PipelineStore;
import io.facerec.common.pipeline.Outcome;
import io.facerec.common.pipeline.PipelineMeters;
import io.facerec.common.pipeline.StageWorkers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Embeds the faces of a batch of media items: each item's faces are read from the detector's crops or its photo,
 * aligned and embedded ({@link FaceEmbedding}, several items at once on the stage's workers; a model with a dynamic
 * batch dimension gets the batch's faces in few inferences instead); then every embedding of the batch is written to
 * {@code Faces.Embedding} (float32 little-endian) with the model id in one transaction, and one {@link FaceEmbedded}
 * per face, keyed by face id, is published and acknowledged before the call returns. Writing the same embedding twice
 * is harmless, so redelivery is safe. A permanent failure of an item is written to its row and dead-lettered; a record
 * that breaks the batch in another way is split out of it ({@link BatchWork}) and dead-lettered alone.
 */
public class EmbedFacesHandler {
    private static final Logger log = LoggerFactory.getLogger(EmbedFacesHandler.class);
    static final String STAGE = "embed";

    private final PipelineStore store;
    private final FaceEmbedding embedding;
    private final StageWorkers workers;
    private final EventSink events;
    private final DeadLetterPublisher deadLetters;
    private final Timer writeTimer;

    /**
     * @param events where {@link FaceEmbedded} goes (the broker, or nowhere in the database modes)
     * @param meters where the write step is timed ({@link PipelineMeters#EMBEDDER_STAGE}); null: nowhere
     */
    public EmbedFacesHandler(
            PipelineStore store,
            FaceEmbedding embedding,
            StageWorkers workers,
            EventSink events,
            DeadLetterPublisher deadLetters,
            MeterRegistry meters) {
        this.store = store;
        this.embedding = embedding;
        this.workers = workers;
        this.events = events;
        this.deadLetters = deadLetters;
        this.writeTimer = Timer.builder(PipelineMeters.EMBEDDER_STAGE)
                .tag("stage", "write")
                .register(meters == null ? new CompositeMeterRegistry() : meters);
    }

    /** One item's result before the batch is written: its vectors, or its failure. */
    private record Item(FacesDetected event, List<float[]> vectors, PermanentProcessingException failure) {}

    /** One item. */
    public Outcome handle(FacesDetected event) {
        return handle(List.of(event));
    }

    /** @throws BatchWork.FailedAt on a transient failure, naming the first event not done */
    public Outcome handle(List<FacesDetected> batch) {
        List<FacesDetected> work =
                batch.stream().filter(e -> !e.faces().isEmpty()).toList();
        if (work.isEmpty()) {
            return Outcome.NONE;
        }
        List<Item> items = compute(work);
        AtomicReference<Outcome> outcome = new AtomicReference<>(Outcome.NONE);
        BatchWork.run(
                items,
                part -> outcome.accumulateAndGet(write(part), Outcome::plus),
                (item, e) -> outcome.accumulateAndGet(poison(item.event(), e), Outcome::plus));
        return outcome.get();
    }

    /** The model inputs and, unless the model batches (then all at once here), the vectors, several items at once. */
    private List<Item> compute(List<FacesDetected> batch) {
        boolean gather = embedding.batches();
        List<Item> items = workers.map(batch, event -> {
            MDC.put("mediaItemId", Long.toString(event.mediaItemId()));
            try {
                List<float[]> inputs = embedding.inputs(event);
                return new Item(event, gather ? inputs : embedding.infer(inputs), null);
            } catch (PermanentProcessingException e) {
                return new Item(event, null, e);
            } catch (RuntimeException e) {
                if (TransientFailures.isTransient(e)) {
                    throw e;
                }
                log.error("media item {}: its faces cannot be embedded", event.mediaItemId(), e);
                return new Item(
                        event,
                        null,
                        new PermanentProcessingException(
                                PermanentProcessingException.UNPROCESSABLE,
                                e.getClass().getSimpleName() + ": " + e.getMessage(),
                                e));
            } finally {
                MDC.remove("mediaItemId");
            }
        });
        if (!gather) {
            return items;
        }
        List<float[]> all = new ArrayList<>();
        items.stream().filter(i -> i.failure() == null).forEach(i -> all.addAll(i.vectors()));
        List<float[]> vectors = embedding.infer(all);
        List<Item> out = new ArrayList<>(items.size());
        int at = 0;
        for (Item i : items) {
            if (i.failure() != null) {
                out.add(i);
            } else {
                out.add(new Item(i.event(), vectors.subList(at, at + i.vectors().size()), null));
                at += i.vectors().size();
            }
        }
        return out;
    }

    /** Writes a part of the batch in one transaction, then publishes its embeddings and dead letters. */
    private Outcome write(List<Item> part) {
        long t0 = System.nanoTime();
        Instant now = store.clock().instant();
        String model = embedding.spec().id();
        List<NewEmbedding> rows = new ArrayList<>();
        List<MediaItemId> done = new ArrayList<>();
        List<FaceEmbedded> out = new ArrayList<>();
        for (Item i : part) {
            if (i.failure() == null) {
                for (int k = 0; k < i.vectors().size(); k++) {
                    FacesDetected.Face f = i.event().faces().get(k);
                    rows.add(new NewEmbedding(FaceId.of(f.faceId()), i.vectors().get(k)));
                    out.add(FaceEmbedded.of(
                            f.faceId(),
                            i.event().mediaItemId(),
                            model,
                            i.vectors().get(k)));
                }
                done.add(MediaItemId.of(i.event().mediaItemId()));
            }
        }
        store.tx().executeWithoutResult(s -> {
            store.faces().saveEmbeddings(rows, model, now);
            store.items().clearFailures(done); // an earlier attempt may have failed
            for (Item i : part) {
                if (i.failure() != null) {
                    store.items()
                            .markFailed(
                                    MediaItemId.of(i.event().mediaItemId()),
                                    i.failure().errorKind(),
                                    "embedding: " + i.failure().getMessage(),
                                    now);
                }
            }
        });
        events.publish(out);
        Outcome outcome = Outcome.NONE;
        for (Item i : part) {
            if (i.failure() == null) {
                for (FacesDetected.Face f : i.event().faces()) {
                    log.info(
                            "embedding stored for face {} of media item {} ({}, {} values)",
                            f.faceId(),
                            i.event().mediaItemId(),
                            model,
                            embedding.spec().dimension());
                }
                outcome = outcome.plus(Outcome.done(i.vectors().size()));
            } else {
                deadLetters.itemFailed(
                        STAGE,
                        i.event().mediaItemId(),
                        i.failure().errorKind(),
                        i.failure().getMessage(),
                        i.event());
                outcome = outcome.plus(Outcome.FAILED);
            }
            embedding.deleteCrops(i.event());
        }
        writeTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        return outcome;
    }

    /**
     * A record that failed alone, in a way no retry mends: its item is marked failed and the record dead-lettered; the
     * batch goes on without it.
     */
    private Outcome poison(FacesDetected event, RuntimeException e) {
        String message = e.getClass().getSimpleName() + ": " + e.getMessage();
        log.error("media item {}: its faces cannot be embedded: {}", event.mediaItemId(), message, e);
        try {
            store.items()
                    .markFailed(
                            MediaItemId.of(event.mediaItemId()),
                            PermanentProcessingException.UNPROCESSABLE,
                            "embedding: " + message,
                            store.clock().instant());
        } catch (RuntimeException again) {
            if (TransientFailures.isTransient(again)) {
                throw again;
            }
            log.warn(
                    "media item {}: cannot record the failure on its row: {}", event.mediaItemId(), again.getMessage());
        }
        deadLetters.itemFailed(STAGE, event.mediaItemId(), PermanentProcessingException.UNPROCESSABLE, message, event);
        return Outcome.FAILED;
    }
}
