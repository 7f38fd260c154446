package io.facerec.gallery;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.FaceRepository.EmbeddedFace;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.persistence.PersonRepository.PersonSummary;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The gallery's reads and the user's corrections. Every correction is written through the repositories as user truth
 * that all later clustering runs honour: a name fixes a person, moved and merged faces become user-verified,
 * "not this person" is stored as a rejection.
 */
public class GalleryService {
    private final PersonRepository persons;
    private final FaceRepository faces;
    private final MediaItemRepository items;
    private final MediaFileRepository files;
    private final MediaPathResolver paths;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final GalleryFiles served;

    public GalleryService(PersonRepository persons, FaceRepository faces, MediaItemRepository items,
            MediaFileRepository files, MediaPathResolver paths, TransactionTemplate tx, Clock clock, GalleryFiles served) {
        this.served = served;
        this.persons = persons;
        this.faces = faces;
        this.items = items;
        this.files = files;
        this.paths = paths;
        this.tx = tx;
        this.clock = clock;
    }

    /** A face as the gallery shows it. */
    public record FaceView(long id, Long personId, double score, double[] box, boolean verified, String file) {
    }

    /** A person page. */
    public record PersonView(PersonSummary person, List<FaceView> faces) {
    }

    /** A merge candidate: another person and how similar their mean faces are. */
    public record Suggestion(PersonSummary person, double similarity) {
    }

    public List<PersonSummary> persons(boolean includeHidden) {
        return persons.summaries(includeHidden);
    }

    public PersonView person(long id) {
        PersonSummary s = persons.summary(PersonId.of(id)).orElseThrow(() -> new NoSuchElementException("no person " + id));
        return new PersonView(s, faces.findByPerson(PersonId.of(id)).stream().map(this::view).toList());
    }

    public List<FaceView> unassigned(int limit) {
        return faces.findUnassigned(limit).stream().map(this::view).toList();
    }

    public FaceView face(long id) {
        return view(faces.find(FaceId.of(id)).orElseThrow(() -> new NoSuchElementException("no face " + id)));
    }

    /** The thumbnail file of a face (confined to the thumbnails folder), or null when it has none. */
    public Path thumbnail(long faceId) {
        var f = faces.find(FaceId.of(faceId)).orElseThrow(() -> new NoSuchElementException("no face " + faceId));
        return f.thumbnailPath() == null ? null : served.thumbnail(f.thumbnailPath());
    }

    /** Whether the face was found in a video (its photo is then the stored frame, see {@link #videoFrame}). */
    public boolean inVideo(long faceId) {
        return io.facerec.common.image.VideoFrames.isVideo(face(faceId).file());
    }

    /**
     * For a face of a video: the frame it was found in, as the detector stored it (the video is never decoded here);
     * null when no frame was kept.
     */
    public Path videoFrame(long faceId) {
        var f = faces.find(FaceId.of(faceId)).orElseThrow(() -> new NoSuchElementException("no face " + faceId));
        return served.videoFrame(f.mediaItemId().value(), f.frameNumber());
    }

    /** The photo a face is in, resolved under the media root (never outside it). */
    public Path photo(long faceId) {
        return paths.resolve(face(faceId).file());
    }

    private FaceView view(FaceRepository.Face f) {
        var item = items.find(f.mediaItemId()).orElseThrow();
        String file = files.find(item.mediaFileId()).orElseThrow().filePath();
        BoundingBox b = f.box();
        return new FaceView(f.id().value(), f.personId() == null ? null : f.personId().value(), f.score(),
                new double[] {b.x1(), b.y1(), b.x2(), b.y2()}, f.userVerified(), file);
    }

    public void rename(long person, String name) {
        require(person);
        persons.rename(PersonId.of(person), name, clock.instant());
    }

    public void hide(long person, boolean hidden) {
        require(person);
        persons.setHidden(PersonId.of(person), hidden, clock.instant());
    }

    /** Moves every face of the source persons into the target; the sources disappear. */
    public void merge(long target, List<Long> sources) {
        require(target);
        tx.executeWithoutResult(s -> {
            var now = clock.instant();
            String name = persons.summary(PersonId.of(target)).orElseThrow().name();
            for (long source : sources) {
                if (source == target) {
                    continue;
                }
                var src = persons.summary(PersonId.of(source))
                        .orElseThrow(() -> new NoSuchElementException("no person " + source));
                for (var f : faces.findByPerson(PersonId.of(source))) {
                    faces.assignByUser(f.id(), PersonId.of(target), now);
                }
                if (!PersonRepository.isUserName(name) && PersonRepository.isUserName(src.name())) {
                    name = src.name();
                    persons.rename(PersonId.of(target), name, now);
                }
                persons.deleteIfEmpty(PersonId.of(source));
            }
            persons.touch(PersonId.of(target), now);
        });
    }

    /**
     * Split: moves the faces to an existing person, or to a new one when {@code target} is null. The user looked at
     * the faces left behind and kept them, so they are confirmed too: a later recluster cannot pull them over to the
     * faces that were split off (they look alike, which is why the split was needed).
     *
     * @return the person the faces are now in
     */
    public long move(List<Long> faceIds, Long target) {
        if (faceIds.isEmpty()) {
            throw new IllegalArgumentException("no faces selected");
        }
        return tx.execute(s -> {
            var now = clock.instant();
            PersonId to = target == null ? persons.create(now) : PersonId.of(require(target));
            java.util.Set<PersonId> from = new java.util.LinkedHashSet<>(); // each source person once, however many faces
            for (long id : faceIds) {
                var f = faces.find(FaceId.of(id)).orElseThrow(() -> new NoSuchElementException("no face " + id));
                if (f.personId() != null) {
                    from.add(f.personId());
                }
                faces.assignByUser(f.id(), to, now);
            }
            for (PersonId p : from) {
                for (var left : faces.findByPerson(p)) {
                    faces.confirm(left.id(), now);
                }
                persons.deleteIfEmpty(p);
            }
            persons.touch(to, now);
            return to.value();
        });
    }

    /** "Not this person": the face leaves its person and never comes back to it. */
    public void notThisPerson(long faceId) {
        var f = faces.find(FaceId.of(faceId)).orElseThrow(() -> new NoSuchElementException("no face " + faceId));
        if (f.personId() == null) {
            throw new IllegalArgumentException("face " + faceId + " has no person");
        }
        tx.executeWithoutResult(s -> faces.reject(f.id(), f.personId(), clock.instant()));
    }

    public void confirm(long faceId) {
        if (faces.confirm(FaceId.of(faceId), clock.instant()) == 0) {
            throw new IllegalArgumentException("face " + faceId + " does not exist or has no person");
        }
    }

    /** The persons whose mean embedding is closest to this person's, best first. */
    public List<Suggestion> suggestions(long person, int limit) {
        require(person);
        Map<Long, float[]> sums = personSums();
        float[] mine = sums.get(person);
        if (mine == null) {
            return List.of();
        }
        Map<Long, PersonSummary> summaries = new HashMap<>();
        persons.summaries(false).forEach(p -> summaries.put(p.id(), p));
        List<Suggestion> out = new ArrayList<>();
        for (var e : sums.entrySet()) {
            if (e.getKey() != person && summaries.containsKey(e.getKey()) && e.getValue().length == mine.length) {
                out.add(new Suggestion(summaries.get(e.getKey()), cosine(mine, e.getValue())));
            }
        }
        out.sort(Comparator.comparingDouble((Suggestion x) -> -x.similarity()));
        return out.subList(0, Math.min(limit, out.size()));
    }

    private volatile String sumsKey;
    private volatile Map<Long, float[]> sumsCache;

    /**
     * The sum of each person's embeddings (its direction is the mean), cached until the assignments change: reading
     * every embedding per page view would not scale to large libraries.
     */
    private Map<Long, float[]> personSums() {
        StringBuilder key = new StringBuilder();
        for (String model : models()) {
            key.append(model).append('=').append(faces.assignmentFingerprint(model)).append(';');
        }
        if (key.toString().equals(sumsKey) && sumsCache != null) {
            return sumsCache;
        }
        Map<Long, float[]> sums = new HashMap<>();
        for (String model : models()) {
            for (EmbeddedFace f : faces.findAssignedEmbedded(model)) {
                if (f.personId() == null) {
                    continue;
                }
                float[] s = sums.computeIfAbsent(f.personId().value(), k -> new float[f.embedding().length]);
                if (s.length == f.embedding().length) {
                    for (int i = 0; i < s.length; i++) {
                        s[i] += f.embedding()[i];
                    }
                }
            }
        }
        sumsCache = sums;
        sumsKey = key.toString();
        return sums;
    }

    private List<String> models() {
        return faces.embeddingModels();
    }

    private long require(long person) {
        if (!persons.exists(PersonId.of(person))) {
            throw new NoSuchElementException("no person " + person);
        }
        return person;
    }

    static double cosine(float[] a, float[] b) {
        double d = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : d / Math.sqrt(na * nb);
    }
}
