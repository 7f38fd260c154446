package io.facerec.gallery;

import io.facerec.common.geometry.BoundingBox;
import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrames;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import io.facerec.common.persistence.PersonCentroidRepository;
import io.facerec.common.persistence.PersonRepository;
import io.facerec.common.persistence.PersonRepository.PersonSummary;
import io.facerec.common.person.PersonCorrections;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The gallery's reads and the user's corrections. Reads are pages (largest persons first, faces in id order) served by
 * indexes, so a request costs the same in a library of a million faces as in one of a thousand. Every correction is
 * written through {@link PersonCorrections} as user truth that all later clustering runs honour: a name fixes a
 * person, moved and merged faces become user-verified, "not this person" is stored as a rejection; the persons'
 * centroids, counts and portraits follow, and the change log tells a running clusterer.
 */
public class GalleryService {
    private final PersonRepository persons;
    private final FaceRepository faces;
    private final MediaItemRepository items;
    private final MediaFileRepository files;
    private final MediaPathResolver paths;
    private final PersonCorrections corrections;
    private final LookAlikes lookAlikes;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final GalleryFiles served;

    public GalleryService(
            PersonRepository persons,
            FaceRepository faces,
            MediaItemRepository items,
            MediaFileRepository files,
            MediaPathResolver paths,
            PersonCorrections corrections,
            PersonCentroidRepository centroids,
            ClusteringChangeRepository changes,
            TransactionTemplate tx,
            Clock clock,
            GalleryFiles served) {
        this.served = served;
        this.persons = persons;
        this.faces = faces;
        this.items = items;
        this.files = files;
        this.paths = paths;
        this.corrections = corrections;
        this.lookAlikes = new LookAlikes(centroids, changes);
        this.tx = tx;
        this.clock = clock;
    }

    /** A face as the gallery shows it. */
    public record FaceView(long id, Long personId, double score, double[] box, boolean verified, String file) {}

    /** A person page: the person and one page of its faces. */
    public record PersonView(PersonSummary person, List<FaceView> faces) {}

    /** A merge candidate: another person and how similar their mean faces are. */
    public record Suggestion(PersonSummary person, double similarity) {}

    /** A page of something and how many there are in all. */
    public record Page<T>(List<T> items, long total) {}

    /** Persons, largest first; {@code query} filters by name (case-insensitive substring). */
    public Page<PersonSummary> persons(boolean includeHidden, String query, int offset, int limit) {
        return new Page<>(persons.page(includeHidden, query, offset, limit), persons.count(includeHidden, query));
    }

    /** A person and a page of its faces (in id order). */
    public PersonView person(long id, int offset, int limit) {
        PersonSummary s =
                persons.summary(PersonId.of(id)).orElseThrow(() -> new NoSuchElementException("no person " + id));
        return new PersonView(
                s,
                faces.pageOfPerson(PersonId.of(id), offset, limit).stream()
                        .map(GalleryService::view)
                        .toList());
    }

    public Page<FaceView> unassigned(int offset, int limit) {
        return new Page<>(
                faces.pageUnassigned(offset, limit).stream()
                        .map(GalleryService::view)
                        .toList(),
                faces.countUnassigned());
    }

    public FaceView face(long id) {
        return view(faces.listed(FaceId.of(id)).orElseThrow(() -> new NoSuchElementException("no face " + id)));
    }

    /** The thumbnail file of a face (confined to the thumbnails folder), or null when it has none. */
    public Path thumbnail(long faceId) {
        var f = faces.find(FaceId.of(faceId)).orElseThrow(() -> new NoSuchElementException("no face " + faceId));
        return f.thumbnailPath() == null ? null : served.thumbnail(f.thumbnailPath());
    }

    /** Whether the face was found in a video (its photo is then the stored frame, see {@link #videoFrame}). */
    public boolean inVideo(long faceId) {
        return VideoFrames.isVideo(face(faceId).file());
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

    private static FaceView view(FaceRepository.Listed f) {
        BoundingBox b = f.box();
        return new FaceView(
                f.id(),
                f.personId(),
                f.score(),
                b == null ? new double[4] : new double[] {b.x1(), b.y1(), b.x2(), b.y2()},
                f.verified(),
                f.filePath());
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
        tx.executeWithoutResult(s -> corrections.merge(
                PersonId.of(target), sources.stream().map(PersonId::of).toList(), clock.instant()));
    }

    /**
     * Split: moves the faces to an existing person, or to a new one when {@code target} is null; the faces left behind
     * are confirmed (see {@link PersonCorrections#move}).
     *
     * @return the person the faces are now in
     */
    public long move(List<Long> faceIds, Long target) {
        if (faceIds.isEmpty()) {
            throw new IllegalArgumentException("no faces selected");
        }
        if (target != null) {
            require(target);
        }
        return tx.execute(s -> corrections
                .move(
                        faceIds.stream().map(FaceId::of).toList(),
                        target == null ? null : PersonId.of(target),
                        clock.instant())
                .value());
    }

    /** "Not this person": the face leaves its person and never comes back to it. */
    public void notThisPerson(long faceId) {
        tx.executeWithoutResult(s -> corrections.reject(FaceId.of(faceId), clock.instant()));
    }

    public void confirm(long faceId) {
        if (faces.confirm(FaceId.of(faceId), clock.instant()) == 0) {
            throw new IllegalArgumentException("face " + faceId + " does not exist or has no person");
        }
    }

    /** The persons whose mean embedding is closest to this person's (visible ones), best first. */
    public List<Suggestion> suggestions(long person, int limit) {
        require(person);
        Set<Long> hidden = new HashSet<>();
        List<Suggestion> out = new ArrayList<>();
        // hidden persons are skipped: ask for a few more and drop them
        for (int attempt = 0; attempt < 3 && out.size() < limit; attempt++) {
            out.clear();
            List<LookAlikes.Match> matches = lookAlikes.of(person, limit + hidden.size(), hidden);
            Map<Long, PersonSummary> summaries = persons.summaries(
                    matches.stream().map(LookAlikes.Match::personId).toList());
            for (LookAlikes.Match m : matches) {
                PersonSummary p = summaries.get(m.personId());
                if (p == null || p.hidden()) {
                    hidden.add(m.personId());
                } else if (out.size() < limit) {
                    out.add(new Suggestion(p, m.similarity()));
                }
            }
            if (matches.size() < limit + hidden.size()) {
                break;
            }
        }
        return out;
    }

    private long require(long person) {
        if (!persons.exists(PersonId.of(person))) {
            throw new NoSuchElementException("no person " + person);
        }
        return person;
    }
}
