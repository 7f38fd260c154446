/**
 * Embedded infrastructure for the zero-setup run: a real Kafka broker inside this JVM ({@link EmbeddedBroker}) and a
 * PostgreSQL with logical WAL, closed to every other account ({@link EmbeddedDatabase}).
 */
package io.facerec.launcher.infra;
