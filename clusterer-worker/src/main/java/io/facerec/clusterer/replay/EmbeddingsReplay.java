package io.facerec.clusterer.replay;

import io.facerec.common.event.FaceEmbedded;
import io.facerec.common.messaging.EventCodec;
import io.facerec.common.messaging.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted embeddings topic ({@link Topics#FACES_EMBEDDED}, keyed by face id) from the beginning to the
 * end offsets taken when the replay starts, keeping the latest embedding of every face (a tombstone removes it). It
 * uses partition assignment, not a consumer group: a replay commits no offsets and does not disturb the clusterer's
 * group. Records that cannot be decoded are counted and skipped (the live consumer already sent them to the
 * dead-letter topic).
 */
public class EmbeddingsReplay {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingsReplay.class);

    /** What the replay read. */
    public record Result(Map<Long, FaceEmbedded> latest, long records, long tombstones, long undecodable) {
        /** The embeddings of one model by face id. */
        public Map<Long, float[]> embeddings(String model) {
            Map<Long, float[]> out = new HashMap<>();
            latest.forEach((id, e) -> {
                if (model.equals(e.modelId())) {
                    out.put(id, e.embedding());
                }
            });
            return out;
        }
    }

    private final Map<String, Object> consumerConfig;
    private final Duration timeout;

    /** @param consumerConfig Kafka client settings (bootstrap servers, security); group and deserializers are set here */
    public EmbeddingsReplay(Map<String, Object> consumerConfig, Duration timeout) {
        this.consumerConfig = new HashMap<>(consumerConfig);
        this.timeout = timeout;
    }

    public Result readAll() {
        Map<String, Object> c = new HashMap<>(consumerConfig);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Long, FaceEmbedded> latest = new HashMap<>();
        long records = 0;
        long tombstones = 0;
        long bad = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.FACES_EMBEDDED, timeout);
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : infos == null ? List.<PartitionInfo>of() : infos) {
                parts.add(new TopicPartition(p.topic(), p.partition()));
            }
            if (parts.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.FACES_EMBEDDED + " does not exist on the broker");
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replay of " + Topics.FACES_EMBEDDED
                            + " did not reach the end offsets " + end + " within " + timeout);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end.getOrDefault(new TopicPartition(r.topic(), r.partition()), Long.MAX_VALUE)) {
                        continue; // written after the replay started: the live consumer handles it
                    }
                    records++;
                    long faceId;
                    try {
                        faceId = Long.parseLong(r.key());
                    } catch (RuntimeException e) {
                        bad++;
                        continue;
                    }
                    if (r.value() == null) {
                        tombstones++;
                        latest.remove(faceId);
                        continue;
                    }
                    try {
                        latest.put(faceId, EventCodec.decode(r.value(), FaceEmbedded.class));
                    } catch (RuntimeException e) {
                        bad++;
                    }
                }
            }
        }
        log.info(
                "replay of {}: {} record(s), {} face(s), {} tombstone(s), {} undecodable",
                Topics.FACES_EMBEDDED,
                records,
                latest.size(),
                tombstones,
                bad);
        return new Result(latest, records, tombstones, bad);
    }

    private static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
