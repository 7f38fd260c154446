/**
 * Settings every worker shares ({@link FacerecProperties}, {@link MediaBudgetProperties}, {@link RetryProperties},
 * {@link OriginProperties}), the origin's environment and {@code .env} variables honoured as their defaults
 * ({@link OriginEnvironment}), and the beans every worker imports ({@link CommonConfiguration}).
 */
package io.facerec.common.config;
