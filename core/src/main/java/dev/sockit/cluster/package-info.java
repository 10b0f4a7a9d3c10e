/**
 * The boundary between a server and the engine that joins it to other servers: {@link
 * dev.sockit.cluster.Broker} (publish/subscribe on topics, node name, live nodes), its
 * in-process implementation, and {@link dev.sockit.cluster.BrokerFactory}, through which a
 * module such as {@code cluster-redis} adds an engine. What crosses nodes is decided in
 * {@link dev.sockit.Cluster}; docs/cluster.md draws the path.
 */
package dev.sockit.cluster;
