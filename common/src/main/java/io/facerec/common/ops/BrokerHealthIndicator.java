package io.facerec.common.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the broker as this process sees it ({@code broker}): the cluster answers (its nodes), and the lag of every
 * consumer group this process consumes in (records on the broker that the group has not committed yet, per topic).
 * DOWN when the broker does not answer within a few seconds. A process without consumers (the gallery) does not ask
 * the broker at all. Lag never makes the component DOWN: a backlog is work to do, not a fault (the dashboard shows it).
 */
public class BrokerHealthIndicator implements HealthIndicator, AutoCloseable {
    private static final int TIMEOUT_MS = 3000;
    private final Map<String, Object> adminConfig;
    private final Supplier<Collection<String>> consumerGroups;
    private Admin admin;

    /**
     * @param adminConfig the Kafka admin client's settings (Spring Boot's, from {@code spring.kafka.*})
     * @param consumerGroups the consumer groups of this process's listeners
     */
    public BrokerHealthIndicator(Map<String, Object> adminConfig, Supplier<Collection<String>> consumerGroups) {
        this.adminConfig = new LinkedHashMap<>(adminConfig);
        this.adminConfig.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        this.adminConfig.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        this.consumerGroups = consumerGroups;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminConfig);
        }
        return admin;
    }

    @Override
    public Health health() {
        Collection<String> groups = consumerGroups.get();
        if (groups.isEmpty()) {
            return Health.up().withDetail("consumers", "none in this process").build();
        }
        try {
            Admin a = admin();
            var cluster = a.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS));
            int nodes = cluster.nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
            Map<String, Object> lag = new TreeMap<>();
            for (String group : groups) {
                lag.put(group, lag(a, group));
            }
            return Health.up()
                    .withDetail("nodes", nodes)
                    .withDetail("clusterId", cluster.clusterId().get(TIMEOUT_MS, TimeUnit.MILLISECONDS))
                    .withDetail("consumerLag", lag)
                    .build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().withDetail("error", "interrupted").build();
        } catch (Exception e) {
            return Health.down()
                    .withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                    .build();
        }
    }

    /** Records behind per topic and in all, for one group (0 per topic when the group has committed nothing yet). */
    private static Map<String, Long> lag(Admin a, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = a.listConsumerGroupOffsets(
                        group, new ListConsumerGroupOffsetsOptions().timeoutMs(TIMEOUT_MS))
                .partitionsToOffsetAndMetadata()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Map<String, Long> byTopic = new TreeMap<>();
        if (committed.isEmpty()) {
            byTopic.put("total", 0L);
            return byTopic;
        }
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var ends = a.listOffsets(latest, new ListOffsetsOptions()).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        long total = 0;
        List<TopicPartition> partitions = new ArrayList<>(committed.keySet());
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            long behind = Math.max(0, ends.get(tp).offset() - (c == null ? 0 : c.offset()));
            byTopic.merge(tp.topic(), behind, Long::sum);
            total += behind;
        }
        byTopic.put("total", total);
        return byTopic;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
