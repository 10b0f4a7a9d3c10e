package dev.sockit.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("dev.sockit.TlsHandshakeFailure")
@Label("TLS Handshake Failure")
@Category("sockit")
@Description("A TLS client's handshake failed or timed out; the connection was closed before its handler ran")
@StackTrace(false)
final class TlsHandshakeFailure extends jdk.jfr.Event {
    @Label("Connection Id")
    long connection;

    @Label("Remote Address")
    String remote;

    @Label("Timed Out")
    boolean timedOut;

    @Label("Reason")
    String reason;
}
