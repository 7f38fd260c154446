package io.facerec.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facerec.common.error.PermanentProcessingException;
import io.facerec.common.testing.TestVideos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Videos are read within a budget and by seeking (finding 8 of the security review: a small, long video held the only
 * detector thread for minutes because every frame was decoded from the start, and only sampled frames were counted).
 * A ten-minute, 25 fps video of tiny numbered frames (15,000 frames, a key frame every second): reading a few frames
 * of it seeks instead of decoding everything before them, and still returns exactly the frame asked for.
 */
class VideoBudgetTest {
    static final int FPS = 25;
    static final int FRAMES = 10 * 60 * FPS;

    @TempDir
    static Path tmp;

    static Path video;

    @BeforeAll
    static void encode() throws Exception {
        video = TestVideos.numbered(tmp.resolve("ten-minutes.mp4"), 64, 48, FPS, FRAMES, FPS);
        assertThat(Files.size(video)).isLessThan(2_000_000L);
    }

    @Test
    void exactFramesFarApartAreReachedBySeekingNotByDecodingFromTheStart() {
        List<int[]> seen = new ArrayList<>();
        var summary = new VideoFrames(100_000_000L)
                .frames(video, new TreeSet<>(List.of(7, 7_213, 14_990)), (n, seconds, frame) -> {
                    seen.add(new int[] {n, TestVideos.levelOf(frame.bgr())});
                    return true;
                });
        assertThat(seen).extracting(s -> s[0]).containsExactly(7, 7_213, 14_990);
        assertThat(seen)
                .allSatisfy(s -> assertThat(s[1])
                        .as("frame %d shows its own number", s[0])
                        .isEqualTo(s[0] % 50));
        assertThat(summary.seeks()).isEqualTo(2);
        assertThat(summary.framesDecoded())
                .as("not the 15,000 frames up to the last one")
                .isLessThan(200);
    }

    @Test
    void sparseSamplingSeeksAndNumbersFramesByTime() {
        List<Integer> numbers = new ArrayList<>();
        var summary = new VideoFrames(100_000_000L).sample(video, 60.0, 100, (n, seconds, frame) -> {
            assertThat(TestVideos.levelOf(frame.bgr())).isEqualTo(n % 50);
            assertThat(seconds).isEqualTo(n / (double) FPS);
            numbers.add(n);
            return true;
        });
        assertThat(numbers).containsExactly(0, 1500, 3000, 4500, 6000, 7500, 9000, 10500, 12000, 13500);
        assertThat(summary.seeks())
                .as("nine jumps, and one to 15,000, past the end")
                .isEqualTo(10);
        assertThat(summary.framesDecoded()).isLessThan(1_000);
    }

    @Test
    void nearbyFramesAreDecodedThroughAndMatchTheirNumbers() {
        List<Integer> sequential = new ArrayList<>();
        var summary = new VideoFrames(100_000_000L)
                .frames(video, new TreeSet<>(List.of(0, 3, 9, 20, 21)), (n, s, frame) -> {
                    assertThat(TestVideos.levelOf(frame.bgr())).isEqualTo(n % 50);
                    sequential.add(n);
                    return true;
                });
        assertThat(sequential).containsExactly(0, 3, 9, 20, 21);
        // short jumps are decoded through; the jump from 9 to 20 passes key frames (this video is mostly key frames)
        assertThat(summary.seeks()).isEqualTo(1);
        assertThat(summary.framesDecoded()).isLessThanOrEqualTo(22);
    }

    @Test
    void aDeclaredDurationAboveTheBudgetIsRefusedBeforeDecoding() {
        VideoFrames frames =
                new VideoFrames(100_000_000L, new VideoBudget(Duration.ofMinutes(5), 250_000, Duration.ofMinutes(5)));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> frames.sample(video, 1.0, 3600, (n, s, f) -> true))
                .isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind())
                        .isEqualTo("VIDEO_TOO_LONG"))
                .hasMessageContaining("lasts 600 s, above the limit of 300 s");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(2.0);
    }

    @Test
    void decodingStopsAtTheFrameBudget() {
        VideoFrames frames =
                new VideoFrames(100_000_000L, new VideoBudget(Duration.ofHours(1), 1_000, Duration.ofMinutes(5)));
        int[] sampled = {0};
        assertThatThrownBy(() -> frames.sample(video, 1.0 / FPS, 100_000, (n, s, f) -> { // every frame
                    sampled[0]++;
                    return true;
                }))
                .isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind())
                        .isEqualTo("VIDEO_BUDGET_EXCEEDED"))
                .hasMessageContaining("1001 decoded frames");
        assertThat(sampled[0]).isEqualTo(1000);
    }

    @Test
    void decodingStopsAtTheTimeBudget() {
        VideoFrames frames =
                new VideoFrames(100_000_000L, new VideoBudget(Duration.ofHours(1), 250_000, Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> frames.sample(video, 1.0, 3600, (n, s, f) -> {
                    try {
                        Thread.sleep(50); // a slow detector
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return true;
                }))
                .isInstanceOf(PermanentProcessingException.class)
                .satisfies(e -> assertThat(((PermanentProcessingException) e).errorKind())
                        .isEqualTo("VIDEO_BUDGET_EXCEEDED"));
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3.0);
    }
}
