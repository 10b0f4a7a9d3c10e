/**
 * JDK Flight Recorder events of sockit servers, named {@code dev.sockit.*} in category
 * "sockit": connections opened and closed, refusals, slow-reader disconnects, TLS handshake
 * failures and certificate reloads, periodic server statistics, and (off by default) one
 * event per message. A server emits them through {@link dev.sockit.jfr.FlightRecorderObserver};
 * when no recording asks for them they cost a check each. See docs/observability.md.
 */
package dev.sockit.jfr;
