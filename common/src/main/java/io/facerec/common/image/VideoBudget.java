package io.facerec.common.image;

import java.time.Duration;

/**
 * What one video may cost before it is refused: its declared length, the frames decoded for it and the time spent on
 * it. A video is untrusted input: a few megabytes can declare hours of tiny frames that would hold a worker thread for
 * minutes. Exceeding the budget is a permanent failure of the item ({@code VIDEO_TOO_LONG} from the container's header
 * before any frame is decoded, {@code VIDEO_BUDGET_EXCEEDED} while decoding), written to the row like any bad input.
 *
 * @param maxDuration longest declared duration accepted
 * @param maxDecodedFrames most frames decoded for one pass over the video (sampled or skipped)
 * @param maxTimePerItem most wall time one pass over the video may take
 */
public record VideoBudget(Duration maxDuration, long maxDecodedFrames, Duration maxTimePerItem) {
    /** One hour of video, 250,000 decoded frames (an hour at 60 fps plus margin), five minutes per pass. */
    public static final VideoBudget DEFAULT = new VideoBudget(Duration.ofHours(1), 250_000, Duration.ofMinutes(5));

    public VideoBudget {
        if (maxDuration == null
                || maxDuration.isNegative()
                || maxDuration.isZero()
                || maxDecodedFrames < 1
                || maxTimePerItem == null
                || maxTimePerItem.isNegative()
                || maxTimePerItem.isZero()) {
            throw new IllegalArgumentException("a video budget needs a positive duration, frame count and time");
        }
    }
}
