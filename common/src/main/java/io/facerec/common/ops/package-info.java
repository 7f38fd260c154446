/**
 * What a process tells an operator besides Spring Boot's own indicators ({@link OperationsConfiguration}): the
 * {@code broker} and {@code models} health components ({@link BrokerHealthIndicator}, {@link ModelsHealthIndicator})
 * and the {@code facerec} section of {@code /actuator/info} ({@link ModelsInfoContributor}).
 */
package io.facerec.common.ops;
