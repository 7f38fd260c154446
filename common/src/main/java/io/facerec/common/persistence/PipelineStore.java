package io.facerec.common.persistence;

import java.time.Clock;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The rows the detector and the embedder write, with the transaction their batches are written in and the clock
 * their times come from.
 */
public record PipelineStore(
        MediaItemRepository items,
        MediaFileRepository files,
        FaceRepository faces,
        TransactionTemplate tx,
        Clock clock) {}
