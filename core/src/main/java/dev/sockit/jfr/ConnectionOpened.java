package dev.sockit.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("dev.sockit.ConnectionOpened")
@Label("Connection Opened")
@Category("sockit")
@Description("A connection was accepted (and its TLS handshake done); its handler starts")
@StackTrace(false)
final class ConnectionOpened extends jdk.jfr.Event {
    @Label("Connection Id")
    long connection;

    @Label("Protocol")
    String protocol;

    @Label("Local Address")
    String local;

    @Label("Remote Address")
    String remote;
}
