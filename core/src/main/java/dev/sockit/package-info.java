/**
 * sockit: a server that listens, accepts many clients and answers them; a client that
 * connects and talks; the framing between.
 *
 * <pre>
 * Listener ── accept ──► SocketConnection ──► virtual thread: handler.handle(connection)
 *                          receive(): socket → buffer → Framing.decode → Message
 *                          send():    Message → Framing.encode → write buffer → socket
 * </pre>
 *
 * Start with {@link dev.sockit.Server#listen}, {@link dev.sockit.Client#connect} and
 * {@link dev.sockit.Handlers}; endpoints are written as URIs ({@link dev.sockit.Endpoint}).
 */
package dev.sockit;
