package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.id.FaceId;
import io.facerec.common.id.PersonId;
import io.facerec.common.persistence.ClusteringChangeRepository.Kind;
import io.facerec.common.person.PersonCorrections;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The streaming clusterer's rules and its following of other writers, on a real PostgreSQL with the schema. */
class ClusterFacesHandlerTest extends ClusterDbFixture {

    @Test
    void clustersNewFacesThenMatchesLaterOnesToKnownPersons() {
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        FaceId lone = faces(item(), new float[] {0, 0, 1}).get(0);
        run();
        assertThat(personOf(a1)).isNotNull().isEqualTo(personOf(a2));
        assertThat(personOf(lone)).isNull();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"Faces\" WHERE \"ClusteredAt\" IS NULL", Long.class))
                .isZero();

        FaceId a3 = faces(item(), A).get(0);
        ClusterFacesHandler.Result r = run();
        assertThat(r.matched()).isEqualTo(1);
        assertThat(personOf(a3)).isEqualTo(personOf(a1));
        assertThat(persons.findAll()).hasSize(1);
        // the person's face count and centroid follow: the sum of its three faces
        long p = personOf(a1);
        assertThat(jdbc.queryForObject("SELECT \"FaceCount\" FROM \"Persons\" WHERE \"Id\" = ?", Integer.class, p))
                .isEqualTo(3);
        var c = centroids.findAll(MODEL).get(p);
        assertThat(c.faceCount()).isEqualTo(3);
        assertThat(c.sum()[0]).isCloseTo(3f, Offset.offset(0.01f));
        // the portrait is one of the person's faces, with its media file
        var portrait = jdbc.queryForMap("SELECT p.\"PortraitFaceId\" AS face, p.\"PortraitMediaFileId\" AS file, "
                + "m.\"MediaFileId\" AS expected FROM \"Persons\" p JOIN \"Faces\" f ON f.\"Id\" = p.\"PortraitFaceId\" "
                + "JOIN \"MediaItems\" m ON m.\"Id\" = f.\"MediaItemId\"");
        assertThat(((Number) portrait.get("face")).longValue()).isIn(a1.value(), a2.value(), a3.value());
        assertThat(portrait.get("file")).isEqualTo(portrait.get("expected"));
    }

    @Test
    void aBatchReadsItsFacesAndTheirNeighbourhoodNotTheLibrary() {
        for (int i = 0; i < 40; i++) { // forty strangers, each unlike any other
            float[] v = new float[3];
            v[i % 3] = 1;
            v[(i + 1) % 3] = -0.5f + i / 40f;
            faces(item(), v);
        }
        run();
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        ClusterFacesHandler.Result r = handler.cluster(MODEL, List.of(a1.value(), a2.value()));
        assertThat(r.considered()).isEqualTo(2);
        assertThat(r.rowsRead()).as("rows read: the batch, its slots").isLessThan(10);
        assertThat(personOf(a1)).isNotNull().isEqualTo(personOf(a2));
    }

    @Test
    void twoFacesOfOnePhotoNeverLandInOnePerson() {
        List<FaceId> same = faces(item(), A, A2);
        run();
        assertThat(personOf(same.get(0))).isNull();
        assertThat(personOf(same.get(1))).isNull();
        FaceId other = faces(item(), A).get(0);
        run();
        // a person forms with one face of the group photo and the other photo, never both group faces
        assertThat(List.of(personOf(same.get(0)) != null, personOf(same.get(1)) != null))
                .containsOnlyOnce(true);
        assertThat(personOf(other)).isNotNull();
    }

    @Test
    void rejectionsAndVerifiedFacesAreHonoured() {
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        run();
        long p = personOf(a1);
        FaceId rejected = faces(item(), A).get(0);
        jdbc.update("INSERT INTO \"FaceRejections\" (\"FaceId\", \"PersonId\") VALUES (?, ?)", rejected.value(), p);
        noteChange(Kind.REJECTIONS, (Long) null);
        FaceId verified = faces(item(), A).get(0);
        jdbc.update("UPDATE \"Faces\" SET \"IsUserVerified\" = TRUE WHERE \"Id\" = ?", verified.value());
        run();
        assertThat(Objects.equals(personOf(rejected), p))
                .as("rejected face not in the person")
                .isFalse();
        assertThat(personOf(verified)).isNull();

        // a verified face keeps its person even when it looks like someone else
        FaceId b1 = faces(item(), B).get(0);
        faces(item(), B2);
        run();
        jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = ?, \"IsUserVerified\" = TRUE WHERE \"Id\" = ?", p, b1.value());
        run();
        assertThat(personOf(b1)).isEqualTo(p);
        assertThat(personOf(a2)).isEqualTo(p);
    }

    @Test
    void followsWhatOtherWritersChangedWhileItRuns() {
        // two looks of one person (similarity 0.3: two persons to the clusterer) that a user merges
        float[] c = {0.3f, 0.954f, 0};
        float[] c2 = {0.3f, 0.954f, 0.05f};
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        FaceId b1 = faces(item(), c).get(0);
        FaceId b2 = faces(item(), c2).get(0);
        run();
        long pa = personOf(a1);
        long pb = personOf(b1);
        assertThat(pa).isNotEqualTo(pb);

        // the gallery's correction (PersonCorrections, as the gallery writes it): A merged into B
        var corrections = new PersonCorrections(faces, persons, centroids, changes, portraits());
        db.tx().executeWithoutResult(s -> corrections.merge(PersonId.of(pb), List.of(PersonId.of(pa)), Instant.now()));
        assertThat(persons.exists(PersonId.of(pa))).isFalse();
        assertThat(centroids.findAll(MODEL).get(pb).faceCount()).isEqualTo(4);

        FaceId a3 = faces(item(), A).get(0);
        run();
        // the clusterer knows A's faces are B's now: without following, a3 would have joined the deleted person A
        assertThat(personOf(a3)).isNotNull().isEqualTo(pb);
        assertThat(personOf(b2)).isEqualTo(pb);

        // "not this person" sends a face back to the pool, where a new look-alike finds it
        db.tx().executeWithoutResult(s -> corrections.reject(b2, Instant.now()));
        assertThat(personOf(b2)).isNull();
        float[] lone = {0, 0.05f, 1};
        FaceId x1 = faces(item(), lone).get(0);
        run();
        assertThat(personOf(x1)).isNull();
        db.tx().executeWithoutResult(s -> corrections.move(List.of(x1), null, Instant.now()));
        FaceId x2 = faces(item(), lone).get(0);
        run();
        assertThat(personOf(x2)).as("joins the person the user made").isEqualTo(personOf(x1));
    }

    @Test
    void aStartRehearsesTheWritePathAndRollsItBack() {
        // sixty faces another tool left clustered but unassigned, thirty pairs a batch would group into persons
        for (int i = 0; i < 30; i++) {
            float[] v = norm(new float[] {(float) Math.cos(i * 0.2), (float) Math.sin(i * 0.2), i % 2 == 0 ? 1 : -1});
            faces(item(), v);
            faces(item(), v);
        }
        jdbc.update("UPDATE \"Faces\" SET \"ClusteredAt\" = now()");
        String personIds = "SELECT pg_get_serial_sequence('\"Persons\"', 'Id')";
        String sequence = jdbc.queryForObject(personIds, String.class);
        long idsBefore = jdbc.queryForObject("SELECT last_value FROM " + sequence, Long.class);
        // inside a caller's transaction (a dry run) there is no rehearsal: its writes would join that transaction
        ClusterFacesHandler dry = newHandler();
        db.tx().executeWithoutResult(s -> {
            dry.start(MODEL);
            s.setRollbackOnly();
        });
        dry.close();
        assertThat(jdbc.queryForObject("SELECT last_value FROM " + sequence, Long.class))
                .isEqualTo(idsBefore);
        long revisionBefore = jdbc.queryForObject("SELECT \"Revision\" FROM \"ClusteringRevision\"", Long.class);

        ClusterFacesHandler.Result r = handler.start(MODEL);

        assertThat(r.considered()).isZero();
        assertThat(jdbc.queryForObject("SELECT last_value FROM " + sequence, Long.class))
                .as("the rehearsal created persons")
                .isGreaterThan(idsBefore);
        assertThat(persons.findAll()).as("and rolled them back").isEmpty();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"Faces\" WHERE \"PersonId\" IS NOT NULL", Long.class))
                .isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"ClusteringChanges\"", Long.class))
                .isZero();
        assertThat(jdbc.queryForObject("SELECT \"Revision\" FROM \"ClusteringRevision\"", Long.class))
                .as("only the load's revision")
                .isEqualTo(revisionBefore + 1);
        assertThat(handler.held(MODEL)[0]).as("the pool as loaded").isEqualTo(60);
        // a new neighbour still groups for real
        FaceId again = faces(item(), norm(new float[] {1, 0, 1})).get(0);
        handler.cluster(MODEL, List.of(again.value()));
        assertThat(personOf(again)).isNotNull();
    }

    @Test
    void aNewClustererStartsFromTheDatabaseAndClustersWhatWasEmbeddedMeanwhile() {
        FaceId a1 = faces(item(), A).get(0);
        faces(item(), A2);
        FaceId lone = faces(item(), B).get(0);
        run();
        handler.close();
        // embedded while no clusterer ran (no event will come): a restarted clusterer finds it
        FaceId a3 = faces(item(), A).get(0);
        FaceId b2 = faces(item(), B2).get(0);
        handler = newHandler();
        ClusterFacesHandler.Result r = handler.start(MODEL);
        assertThat(r.considered()).isEqualTo(2);
        assertThat(personOf(a3)).isEqualTo(personOf(a1));
        // the pool was loaded: b2 found its partner among the faces left unassigned before the restart
        assertThat(personOf(b2)).isNotNull().isEqualTo(personOf(lone));
    }
}
