package dev.sockit.transport;

/**
 * Marks a {@link dev.sockit.MessageHandler} that never waits: it only sends to the connection
 * it serves ({@link dev.sockit.Handlers#echo}, {@link dev.sockit.Handlers#ack}). The waiting
 * room's thread serves such a handler's plain TCP and WebSocket connections itself, message by message,
 * without waking a thread for each (docs/architecture.md, "served in line"). A handler that
 * may block (on a lock, a queue, another connection's writes) must not carry it: it would
 * stall every connection the room serves.
 */
public interface InlineSafe {}
