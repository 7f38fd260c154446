package io.facerec.detector.detect;

import io.facerec.common.geometry.DetectedFace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keeps a video from flooding {@code Faces}: detections in consecutive sampled frames whose boxes overlap (IoU at or
 * above {@code trackIou}) are one <em>track</em> — the same face seen again a moment later — and each track stores one
 * face: its highest-scoring detection (ties: the earliest), with that detection's frame number. A track ends when a
 * sampled frame has no overlapping detection, so a person who leaves and comes back later is stored again (and is
 * matched to the same person by the clusterer, which only forbids two faces of the same frame from sharing a person).
 * Matching is greedy by IoU, each detection continues at most one track.
 *
 * @param <T> what is kept with the best detection (e.g. its thumbnail pixels)
 */
public final class VideoFaceTracks<T extends AutoCloseable> {

    /** The face a track keeps. */
    public record Kept<T>(int frameNumber, DetectedFace face, T payload) {}

    /** Builds the payload of a detection only when it becomes its track's best. */
    @FunctionalInterface
    public interface Payload<T> {
        T of(DetectedFace face);
    }

    private static final class Track<T> {
        DetectedFace last;
        Kept<T> best;
    }

    private final double trackIou;
    private final List<Track<T>> active = new ArrayList<>();
    private final List<Track<T>> ended = new ArrayList<>();

    public VideoFaceTracks(double trackIou) {
        if (trackIou <= 0 || trackIou > 1) {
            throw new IllegalArgumentException("track IoU must be in (0, 1], got " + trackIou);
        }
        this.trackIou = trackIou;
    }

    /** Adds the detections of the next sampled frame. */
    public void add(int frameNumber, List<DetectedFace> faces, Payload<T> payload) {
        record Pair(int track, int face, double iou) {}
        List<Pair> pairs = new ArrayList<>();
        for (int t = 0; t < active.size(); t++) {
            for (int f = 0; f < faces.size(); f++) {
                double iou = active.get(t).last.box().iou(faces.get(f).box());
                if (iou >= trackIou) {
                    pairs.add(new Pair(t, f, iou));
                }
            }
        }
        pairs.sort(Comparator.comparingDouble((Pair p) -> -p.iou()));
        boolean[] trackUsed = new boolean[active.size()];
        Track<T>[] continued = newTracks(faces.size());
        for (Pair p : pairs) {
            if (!trackUsed[p.track()] && continued[p.face()] == null) {
                trackUsed[p.track()] = true;
                continued[p.face()] = active.get(p.track());
            }
        }
        for (int t = 0; t < active.size(); t++) {
            if (!trackUsed[t]) {
                ended.add(active.get(t));
            }
        }
        active.clear();
        for (int f = 0; f < faces.size(); f++) {
            Track<T> track = continued[f] != null ? continued[f] : new Track<>();
            DetectedFace face = faces.get(f);
            track.last = face;
            if (track.best == null || face.score() > track.best.face().score()) {
                if (track.best != null) {
                    close(track.best.payload());
                }
                track.best = new Kept<>(frameNumber, face, payload.of(face));
            }
            active.add(track);
        }
    }

    /** The kept face of every track, by frame number, then left to right. */
    public List<Kept<T>> kept() {
        List<Kept<T>> out = new ArrayList<>();
        for (Track<T> t : ended) {
            out.add(t.best);
        }
        for (Track<T> t : active) {
            out.add(t.best);
        }
        out.sort(Comparator.comparingInt((Kept<T> k) -> k.frameNumber())
                .thenComparingDouble(k -> k.face().box().x1()));
        return out;
    }

    /** Number of tracks so far. */
    public int size() {
        return ended.size() + active.size();
    }

    @SuppressWarnings("unchecked")
    private static <T> Track<T>[] newTracks(int n) {
        return (Track<T>[]) new Track<?>[n];
    }

    static void close(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
