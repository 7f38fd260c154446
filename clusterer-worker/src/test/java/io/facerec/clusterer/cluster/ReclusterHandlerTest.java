package io.facerec.clusterer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.common.id.FaceId;
import io.facerec.common.persistence.ClusteringChangeRepository;
import io.facerec.common.persistence.PersonRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Recluster mode on a real PostgreSQL: stable ids, user truth, dry run. */
class ReclusterHandlerTest extends ClusterDbFixture {
    ReclusterHandler recluster;

    @BeforeEach
    void setUpRecluster() {
        recluster = new ReclusterHandler(
                faces, persons, centroids, changes, portraits(), props, db.tx(), Clock.systemUTC());
    }

    @Test
    void keepsPersonIdsStableAndChangesNothingWhenNothingChanged() {
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        FaceId b1 = faces(item(), B).get(0);
        FaceId b2 = faces(item(), B2).get(0);
        run();
        Long pa = personOf(a1);
        Long pb = personOf(b1);
        ReclusterHandler.Result r = recluster.recluster(MODEL, false);
        assertThat(r.moved()).isZero();
        assertThat(r.personsCreated()).isZero();
        assertThat(personOf(a2)).isEqualTo(pa);
        assertThat(personOf(b2)).isEqualTo(pb);
        assertThat(persons.findAll()).extracting(p -> p.id().value()).containsExactlyInAnyOrder(pa, pb);
        // centroids and face counts rebuilt; a running clusterer is told to reload
        assertThat(centroids.findAll(MODEL)).containsOnlyKeys(pa, pb);
        assertThat(centroids.findAll(MODEL).get(pa).faceCount()).isEqualTo(2);
        assertThat(changes.between(0, Long.MAX_VALUE))
                .extracting(c -> c.kind())
                .contains(ClusteringChangeRepository.Kind.ALL);
        FaceId a3 = faces(item(), A).get(0);
        run();
        assertThat(personOf(a3)).isEqualTo(pa);
    }

    @Test
    void repairsAWrongMergeButKeepsTheIdOfTheLargerPart() {
        FaceId a1 = faces(item(), A).get(0);
        FaceId a2 = faces(item(), A2).get(0);
        FaceId a3 = faces(item(), A).get(0);
        FaceId b1 = faces(item(), B).get(0);
        FaceId b2 = faces(item(), B2).get(0);
        // an earlier run (or an older threshold) put everyone into one person
        long p = persons.create(Instant.now()).value();
        for (FaceId f : List.of(a1, a2, a3, b1, b2)) {
            jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = ? WHERE \"Id\" = ?", p, f.value());
        }
        ReclusterHandler.Result dry = recluster.recluster(MODEL, true);
        assertThat(dry.moved()).isEqualTo(2);
        assertThat(personOf(b1)).as("dry run writes nothing").isEqualTo(p);

        ReclusterHandler.Result r = recluster.recluster(MODEL, false);
        assertThat(r.moved()).isEqualTo(2);
        assertThat(personOf(a1)).isEqualTo(p);
        assertThat(personOf(a3)).isEqualTo(p);
        assertThat(personOf(b1)).isNotNull().isNotEqualTo(p).isEqualTo(personOf(b2));
    }

    @Test
    void namedPersonsAndVerifiedFacesAreNeverMoved() {
        FaceId a1 = faces(item(), A).get(0);
        FaceId b1 = faces(item(), B).get(0);
        faces(item(), B2);
        long named = persons.create(Instant.now()).value();
        jdbc.update("UPDATE \"Persons\" SET \"Name\" = 'Grandma' WHERE \"Id\" = ?", named);
        // the user put a B-looking face into Grandma (say it really is her)
        jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = ? WHERE \"Id\" IN (?, ?)", named, a1.value(), b1.value());
        recluster.recluster(MODEL, false);
        assertThat(personOf(a1)).isEqualTo(named);
        assertThat(personOf(b1)).isEqualTo(named);
        assertThat(persons.findAll()).extracting(PersonRepository.Person::name).contains("Grandma");
    }

    @Test
    void aRejectedFaceNeverReturnsToThePersonEvenWithItsLookalikes() {
        FaceId a1 = faces(item(), A).get(0);
        faces(item(), A2);
        FaceId a3 = faces(item(), A).get(0);
        run();
        long p = personOf(a1);
        assertThat(personOf(a3)).isEqualTo(p);
        jdbc.update("INSERT INTO \"FaceRejections\" (\"FaceId\", \"PersonId\") VALUES (?, ?)", a3.value(), p);
        jdbc.update("UPDATE \"Faces\" SET \"PersonId\" = NULL WHERE \"Id\" = ?", a3.value());
        recluster.recluster(MODEL, false);
        assertThat(personOf(a1)).isEqualTo(p);
        assertThat(Objects.equals(personOf(a3), p)).isFalse();
    }
}
