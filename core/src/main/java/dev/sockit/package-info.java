/**
 * sockit: a server that listens, accepts many clients and answers them; a client that
 * connects and talks; the framing between.
 *
 * <pre>
 * StreamListener ── accept ──► SocketConnection ──► virtual thread: handler.handle(connection)
 *  (tcp, unix)                   receive(): socket → buffer → Framing.decode → Message
 *                                send():    Message → Framing.encode → write buffer → socket
 *
 * DatagramListener ── receive ──► DatagramConnection per peer ──► virtual thread: handler.handle(connection)
 *  (udp)             one datagram   receive(): inbox → Message (one datagram)
 *                    is one message send():    Message → one datagram to the peer
 * </pre>
 *
 * Start with {@link dev.sockit.Server#listen}, {@link dev.sockit.Client#connect} and
 * {@link dev.sockit.Handlers}; endpoints are written as URIs ({@link dev.sockit.Endpoint}).
 */
package dev.sockit;
