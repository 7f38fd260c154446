package io.facerec.common.portrait;

import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.image.ThumbnailSharpness;
import io.facerec.common.logging.LogIds;
import io.facerec.common.persistence.FaceRepository;
import io.facerec.common.persistence.FaceRepository.PortraitFace;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.PersonRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the origin's {@link PortraitRule} to a person and writes what the origin wrote: {@code Persons
 * .PortraitMediaFileId} (plus our {@code PortraitFaceId}) and {@code ModifiedAt}, {@code MediaFile.ModifiedAt} of the
 * photo that becomes the portrait, and a copy of the face's thumbnail as
 * {@code <portraits dir>/Person_<id>_portrait.jpg} (the origin's {@code individuals_portraits/}). Any component may
 * call it after changing a person: the clusterer ({@link #offer} per batch, {@link #update} after a recluster), and
 * the corrections of a user ({@link #update}).
 *
 * <p>A face's sharpness is the one stored in {@code Faces.Sharpness} (the detector measures it on the crop it
 * thumbnails); for a face the origin stored it is measured once on its thumbnail, as the origin measured it, and
 * stored. Thumbnails are looked up by {@code ThumbnailPath}, then by {@code Faces.Name} (a plain file name) in the
 * thumbnails directory and in the origin's {@code ROOT_PATH/Thumbnails}.
 */
public class Portraits {
    private static final Logger log = LoggerFactory.getLogger("io.facerec.clusterer.portraits");

    /**
     * Where the files are.
     *
     * @param portraitsDir where {@code Person_<id>_portrait.jpg} files are written; null: none are written
     * @param thumbnailDirs where thumbnails named by {@code Faces.Name} are looked for, in order
     */
    public record Locations(Path portraitsDir, List<Path> thumbnailDirs) {
        public static final Locations NONE = new Locations(null, List.of());
    }

    private final FaceRepository faces;
    private final PersonRepository persons;
    private final MediaFileRepository mediaFiles;
    private final Locations files;
    private final boolean dryRun;

    /** @param mediaFiles null: {@code MediaFile.ModifiedAt} is not touched */
    public Portraits(FaceRepository faces, PersonRepository persons, MediaFileRepository mediaFiles, Locations files) {
        this(faces, persons, mediaFiles, files, false);
    }

    private Portraits(
            FaceRepository faces,
            PersonRepository persons,
            MediaFileRepository mediaFiles,
            Locations files,
            boolean dryRun) {
        this.faces = faces;
        this.persons = persons;
        this.mediaFiles = mediaFiles;
        this.files = files;
        this.dryRun = dryRun;
    }

    /** The same, writing no portrait file (dry runs: the database writes are rolled back by the caller). */
    public Portraits dryRun() {
        return new Portraits(faces, persons, mediaFiles, files, true);
    }

    /** Chooses the person's portrait from all its faces ({@link PortraitRule#choose}). */
    public void update(PersonId person, Instant now) {
        List<PortraitFace> all = faces.findPortraitFaces(person);
        List<PortraitRule.Candidate> candidates = new ArrayList<>(all.size());
        for (PortraitFace f : all) {
            candidates.add(new PortraitRule.Candidate(f.id().value(), f.mediaFileId(), sharpness(f)));
        }
        PortraitRule.Candidate best =
                PortraitRule.choose(candidates, () -> PortraitRule.medoid(faces.findPersonEmbeddings(person)));
        if (best != null) {
            apply(person, best, find(all, best.faceId()), now);
        }
    }

    /**
     * The streaming form: the faces that joined the person compete with its current portrait only
     * ({@link PortraitRule#replaces}); reads the added faces and the portrait face, not the whole person. A person
     * without a portrait, or whose portrait face has left it, is chosen again in full.
     */
    public void offer(PersonId person, Collection<FaceId> added, Instant now) {
        PersonRepository.Portrait current = persons.portrait(person);
        PortraitFace currentFace = null;
        if (current.faceId() != null) {
            List<PortraitFace> found = faces.findPortraitFaces(List.of(FaceId.of(current.faceId())));
            currentFace = found.isEmpty() ? null : found.get(0);
        }
        if (currentFace == null || !belongsTo(currentFace, person)) {
            update(person, now);
            return;
        }
        PortraitRule.Candidate best =
                new PortraitRule.Candidate(currentFace.id().value(), currentFace.mediaFileId(), sharpness(currentFace));
        PortraitFace bestFace = currentFace;
        for (PortraitFace f : faces.findPortraitFaces(added)) {
            PortraitRule.Candidate c = new PortraitRule.Candidate(f.id().value(), f.mediaFileId(), sharpness(f));
            if (PortraitRule.replaces(c, best)) {
                best = c;
                bestFace = f;
            }
        }
        if (bestFace != currentFace || !portraitFileExists(person)) {
            apply(person, best, bestFace, now);
        }
    }

    /**
     * {@link #offer} for every person a streaming batch touched, with a constant number of reads per batch: the
     * persons' portraits, the portrait faces and the joined faces are read in one query each. A person without a valid
     * portrait (a new one, one adopted without a portrait face, or whose portrait face left it) gets the sharpest of
     * its added faces.
     */
    public void offerAll(Map<PersonId, ? extends Collection<FaceId>> added, Instant now) {
        if (added.isEmpty()) {
            return;
        }
        Map<Long, PersonRepository.Portrait> current =
                persons.portraits(added.keySet().stream().map(PersonId::value).toList());
        List<FaceId> wanted = new ArrayList<>();
        for (var e : added.entrySet()) {
            wanted.addAll(e.getValue());
            PersonRepository.Portrait p = current.get(e.getKey().value());
            if (p != null && p.faceId() != null) {
                wanted.add(FaceId.of(p.faceId()));
            }
        }
        Map<Long, PortraitFace> byId = new HashMap<>();
        for (PortraitFace f : faces.findPortraitFaces(wanted)) {
            byId.put(f.id().value(), f);
        }
        Map<Long, Long> personOf = faces.personsOf(byId.keySet());
        Map<Long, long[]> changed = new LinkedHashMap<>();
        Set<Long> touched = new LinkedHashSet<>();
        for (var e : added.entrySet()) {
            PersonId person = e.getKey();
            PersonRepository.Portrait p = current.get(person.value());
            PortraitFace currentFace = p == null || p.faceId() == null ? null : byId.get(p.faceId());
            if (currentFace != null && !Long.valueOf(person.value()).equals(personOf.get(p.faceId()))) {
                currentFace = null; // the portrait's face has left the person
            }
            // Without a valid portrait the sharpest of the added faces becomes it: the rule over all of the person's
            // faces would read every one of them (a person of 100,000 faces on a streaming batch); later faces replace
            // it when sharper, and a recluster or a correction applies the rule to the whole person.
            PortraitRule.Candidate best = currentFace == null
                    ? null
                    : new PortraitRule.Candidate(
                            currentFace.id().value(), currentFace.mediaFileId(), sharpness(currentFace));
            PortraitFace bestFace = currentFace;
            for (FaceId id : e.getValue()) {
                PortraitFace f = byId.get(id.value());
                if (f == null) {
                    continue;
                }
                PortraitRule.Candidate c = new PortraitRule.Candidate(f.id().value(), f.mediaFileId(), sharpness(f));
                if (PortraitRule.replaces(c, best)) {
                    best = c;
                    bestFace = f;
                }
            }
            if (bestFace != null && (bestFace != currentFace || !portraitFileExists(person))) {
                choose(person, p, best, bestFace, changed, touched);
            }
        }
        save(changed, touched, now); // one batch per table for the whole streaming batch, not a round trip per person
    }

    /**
     * {@link #update} for every person at once (after a recluster), from faces already in memory: the rule runs on the
     * portrait faces of the model (one query), medoids come from {@code vectors}, and the changed portraits are written
     * in batches; the portrait files are (re)written for every person, as the origin did on every run.
     *
     * @param members each person's faces
     * @param vectors embeddings by face id (for the medoid when the sharpest faces tie)
     */
    public void chooseAll(String model, Map<Long, List<Long>> members, Map<Long, float[]> vectors, Instant now) {
        Map<Long, PortraitFace> byId = new HashMap<>();
        for (PortraitFace f : faces.findPortraitFacesOfModel(model)) {
            byId.put(f.id().value(), f);
        }
        Map<Long, PersonRepository.Portrait> current = persons.portraits(members.keySet());
        Map<Long, long[]> changed = new LinkedHashMap<>();
        for (var e : members.entrySet()) {
            List<Long> ids = new ArrayList<>(e.getValue());
            ids.sort(null);
            List<PortraitRule.Candidate> candidates = new ArrayList<>(ids.size());
            for (Long id : ids) {
                PortraitFace f = byId.get(id);
                if (f != null) {
                    candidates.add(new PortraitRule.Candidate(id, f.mediaFileId(), sharpness(f)));
                }
            }
            PortraitRule.Candidate best = PortraitRule.choose(candidates, () -> {
                Map<Long, float[]> own = new LinkedHashMap<>();
                ids.forEach(id -> own.put(id, vectors.get(id)));
                return PortraitRule.medoid(own);
            });
            if (best == null) {
                continue;
            }
            PersonRepository.Portrait before = current.get(e.getKey());
            if (before == null
                    || !Objects.equals(before.faceId(), best.faceId())
                    || !Objects.equals(before.mediaFileId(), best.mediaFileId())) {
                changed.put(e.getKey(), new long[] {best.mediaFileId(), best.faceId()});
            }
            writeFile(PersonId.of(e.getKey()), thumbnail(byId.get(best.faceId())));
        }
        if (!dryRun) {
            persons.setPortraits(changed, now);
            if (mediaFiles != null) {
                mediaFiles.touchAll(
                        changed.values().stream().map(v -> v[0]).distinct().toList(), now);
            }
        }
        log.info("portraits: {} person(s) chosen again, {} changed", members.size(), changed.size());
    }

    private boolean belongsTo(PortraitFace face, PersonId person) {
        return faces.find(face.id()).map(f -> person.equals(f.personId())).orElse(false);
    }

    private static PortraitFace find(List<PortraitFace> all, long id) {
        for (PortraitFace f : all) {
            if (f.id().value() == id) {
                return f;
            }
        }
        throw new IllegalStateException("face " + id + " not among the candidates");
    }

    private void apply(PersonId person, PortraitRule.Candidate best, PortraitFace face, Instant now) {
        Map<Long, long[]> changed = new LinkedHashMap<>();
        Set<Long> touched = new LinkedHashSet<>();
        choose(person, persons.portrait(person), best, face, changed, touched);
        save(changed, touched, now);
    }

    /**
     * Makes {@code best} the person's portrait: logs it, notes the row to change in {@code changed} (and its media file
     * in {@code touched} when that changes too) unless it already is the portrait ({@code before}, null for none), and
     * writes the portrait file.
     */
    private void choose(
            PersonId person,
            PersonRepository.Portrait before,
            PortraitRule.Candidate best,
            PortraitFace face,
            Map<Long, long[]> changed,
            Set<Long> touched) {
        try (var id = LogIds.put(LogIds.FACE, best.faceId())) {
            Path thumb = thumbnail(face);
            log.info(
                    "portrait of person {}: face {} ({}, sharpness {})",
                    person,
                    best.faceId(),
                    thumb == null ? "no thumbnail" : thumb,
                    String.format(Locale.ROOT, "%.1f", best.sharpness()));
            Long beforeFace = before == null ? null : before.faceId();
            Long beforeMedia = before == null ? null : before.mediaFileId();
            if (!Objects.equals(beforeFace, best.faceId()) || !Objects.equals(beforeMedia, best.mediaFileId())) {
                changed.put(person.value(), new long[] {best.mediaFileId(), best.faceId()});
                if (!Objects.equals(beforeMedia, best.mediaFileId())) {
                    touched.add(best.mediaFileId());
                }
            }
            writeFile(person, thumb);
        }
    }

    /** Writes the chosen portraits and touches their media files, one batch per table. */
    private void save(Map<Long, long[]> changed, Set<Long> touched, Instant now) {
        if (!changed.isEmpty()) {
            persons.setPortraits(changed, now);
        }
        if (mediaFiles != null && !touched.isEmpty()) {
            mediaFiles.touchAll(touched, now);
        }
    }

    private Path portraitFile(PersonId person) {
        return files.portraitsDir() == null
                ? null
                : files.portraitsDir().resolve("Person_" + person.value() + "_portrait.jpg");
    }

    private boolean portraitFileExists(PersonId person) {
        Path p = portraitFile(person);
        return p == null || Files.exists(p);
    }

    private void writeFile(PersonId person, Path thumb) {
        Path out = portraitFile(person);
        if (out == null) {
            return;
        }
        if (thumb == null) {
            log.warn("portrait of person {}: the face has no thumbnail to copy to {}", person, out);
            return;
        }
        if (dryRun) {
            log.info("dry run: would save portrait of person {}: {}", person, out);
            return;
        }
        try {
            Files.createDirectories(out.getParent());
            Files.copy(thumb, out, StandardCopyOption.REPLACE_EXISTING);
            log.info("saved portrait of person {}: {}", person, out);
        } catch (IOException e) {
            log.warn("portrait of person {}: cannot write {}: {}", person, out, e.getMessage());
        }
    }

    /** The stored sharpness, or (a face the origin stored) the origin's measure on its thumbnail, then stored. */
    private double sharpness(PortraitFace f) {
        if (f.sharpness() != null) {
            return f.sharpness();
        }
        double s = ThumbnailSharpness.of(thumbnail(f));
        if (!dryRun) {
            faces.setSharpness(f.id(), s);
        }
        return s;
    }

    /** The face's thumbnail file, or null. {@code Faces.Name} counts only as a plain file name. */
    Path thumbnail(PortraitFace f) {
        if (f.thumbnailPath() != null) {
            Path p = Path.of(f.thumbnailPath());
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        String name = f.name();
        if (name == null
                || name.isBlank()
                || name.contains("/")
                || name.contains("\\")
                || name.contains("\0")
                || name.equals(".")
                || name.equals("..")) {
            return null;
        }
        for (Path dir : files.thumbnailDirs()) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        return null;
    }
}
