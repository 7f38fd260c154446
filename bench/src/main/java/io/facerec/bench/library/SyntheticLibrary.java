package io.facerec.bench.library;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A photo library as it grows: faces arrive in photo events (a few people together over a handful of photos), with
 * {@link CalibratedFaces} embeddings.
 * <ul>
 *   <li>People are heavy-tailed: an event picks each of its people by a Zipf law over the order in which people first
 *       appeared (the household first), and now and then a new person appears; so a few people have thousands of faces
 *       and most a handful.</li>
 *   <li>One-off strangers (crowds, backgrounds, waiters, passers-by) are added to photos until they are
 *       {@code strangerShare} of all faces; each stranger appears exactly once.</li>
 *   <li>Faces of one photo share a media item; the same person is never twice in one photo.</li>
 * </ul>
 * Deterministic for a seed: the same library comes out on every run, in the same order.
 */
public final class SyntheticLibrary {

    /**
     * @param strangerShare share of faces that are one-off strangers
     * @param zipf exponent of the popularity law over people
     * @param newPersonPerEvent probability that an event brings a person never seen before
     */
    public record Params(double strangerShare, double zipf, double newPersonPerEvent) {
        public static final Params DEFAULT = new Params(0.45, 1.05, 0.06);
    }

    /** One face: its index in arrival order, its person (strangers have their own, never reused), its photo. */
    public record Face(long index, long person, boolean stranger, long photo, float[] embedding) {}

    /** Person ids of strangers start here. */
    public static final long STRANGERS = 1L << 40;

    private static final int MAX_PEOPLE = 1 << 21;

    private final CalibratedFaces faces;
    private final Params params;
    private final Random rnd;
    private final double[] cumulative = new double[MAX_PEOPLE];
    private int people;
    private long nextFace;
    private long nextPhoto;
    private long nextStranger = STRANGERS;
    private long strangers;
    private final List<Face> pending = new ArrayList<>();

    public SyntheticLibrary(CalibratedFaces faces, Params params, long seed) {
        this.faces = faces;
        this.params = params;
        this.rnd = new Random(seed);
        double c = 0;
        for (int k = 0; k < MAX_PEOPLE; k++) {
            c += 1 / Math.pow(k + 1, params.zipf());
            cumulative[k] = c;
        }
        people = 8; // a household to start with
    }

    /** The next {@code n} faces in arrival order. */
    public List<Face> next(int n) {
        while (pending.size() < n) {
            event();
        }
        List<Face> out = new ArrayList<>(pending.subList(0, n));
        pending.subList(0, n).clear();
        return out;
    }

    public long facesMade() {
        return nextFace;
    }

    private int pickPerson() {
        double u = rnd.nextDouble() * cumulative[people - 1];
        int lo = 0;
        int hi = people - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void event() {
        List<Integer> cast = new ArrayList<>();
        int size = 1;
        while (size < 4 && rnd.nextDouble() < 0.45) {
            size++;
        }
        if (rnd.nextDouble() < params.newPersonPerEvent() && people < MAX_PEOPLE) {
            cast.add(people++);
        }
        for (int tries = 0; cast.size() < size && tries < 20; tries++) {
            int p = pickPerson();
            if (!cast.contains(p)) {
                cast.add(p);
            }
        }
        int photos = 1;
        while (photos < 12 && rnd.nextDouble() < 0.65) {
            photos++;
        }
        float[][] centres = new float[cast.size()][];
        for (int i = 0; i < cast.size(); i++) {
            centres[i] = faces.centre(cast.get(i));
        }
        for (int ph = 0; ph < photos; ph++) {
            long photo = nextPhoto++;
            boolean any = false;
            for (int i = 0; i < cast.size(); i++) {
                if (rnd.nextDouble() < 0.6 || (!any && i == cast.size() - 1)) {
                    add(cast.get(i), false, photo, faces.face(rnd, centres[i]));
                    any = true;
                }
            }
            // strangers until they are strangerShare of all faces made so far
            while (strangers < params.strangerShare() * (nextFace + 1) && rnd.nextDouble() < 0.9) {
                long s = nextStranger++;
                add(s, true, photo, faces.face(rnd, faces.centre(s)));
                strangers++;
            }
        }
    }

    private void add(long person, boolean stranger, long photo, float[] v) {
        pending.add(new Face(nextFace++, person, stranger, photo, v));
    }
}
