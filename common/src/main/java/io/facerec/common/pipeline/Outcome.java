package io.facerec.common.pipeline;

/**
 * What a stage's handler did with a batch of media items (the detector's and the embedder's share this shape).
 *
 * @param done items processed now (detected, or embedded)
 * @param republished items already done whose stored result was published again (a redelivery)
 * @param skipped items not processed: gone, or failed and not yet due for another attempt
 * @param failed items that failed for good in this batch (row marked, dead letter published)
 * @param faces faces stored (detector) or embedded (embedder) by the items done
 */
public record Outcome(int done, int republished, int skipped, int failed, int faces) {
    public static final Outcome NONE = new Outcome(0, 0, 0, 0, 0);

    public static Outcome done(int faces) {
        return new Outcome(1, 0, 0, 0, faces);
    }

    public static final Outcome REPUBLISHED = new Outcome(0, 1, 0, 0, 0);
    public static final Outcome SKIPPED = new Outcome(0, 0, 1, 0, 0);
    public static final Outcome FAILED = new Outcome(0, 0, 0, 1, 0);

    public Outcome plus(Outcome o) {
        return new Outcome(
                done + o.done, republished + o.republished, skipped + o.skipped, failed + o.failed, faces + o.faces);
    }

    /** Items the batch held. */
    public int items() {
        return done + republished + skipped + failed;
    }
}
