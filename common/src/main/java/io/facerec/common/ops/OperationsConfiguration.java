package io.facerec.common.ops;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * What every facerec process tells an operator besides Spring Boot's own indicators (database, disk space): the
 * {@code broker} and {@code models} health components and the {@code facerec} section of {@code /actuator/info}.
 * The capture's component ({@code capture}) is the detector's (see {@code DetectorWorkerConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
public class OperationsConfiguration {

    @Bean(destroyMethod = "close")
    BrokerHealthIndicator brokerHealthIndicator(
            ObjectProvider<KafkaAdmin> admin, ObjectProvider<KafkaListenerEndpointRegistry> listeners) {
        KafkaAdmin kafka = admin.getIfAvailable();
        return new BrokerHealthIndicator(kafka == null ? Map.of() : kafka.getConfigurationProperties(), () -> {
            Set<String> groups = new LinkedHashSet<>();
            KafkaListenerEndpointRegistry r = kafka == null ? null : listeners.getIfAvailable();
            if (r != null) {
                for (MessageListenerContainer c : r.getListenerContainers()) {
                    if (c.getGroupId() != null && c.isAutoStartup()) {
                        groups.add(c.getGroupId());
                    }
                }
            }
            return groups;
        });
    }

    @Bean
    ModelsHealthIndicator modelsHealthIndicator() {
        return new ModelsHealthIndicator();
    }

    @Bean
    ModelsInfoContributor modelsInfoContributor() {
        return new ModelsInfoContributor();
    }
}
