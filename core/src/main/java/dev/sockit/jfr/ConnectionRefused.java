package dev.sockit.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("dev.sockit.ConnectionRefused")
@Label("Connection Refused")
@Category("sockit")
@Description("A peer was turned away before any handler ran: a connection limit or the access policy")
@StackTrace(false)
final class ConnectionRefused extends jdk.jfr.Event {
    @Label("Remote Address")
    String remote;

    @Label("Cause")
    @Description("limit, per_source, denied or proxy_header, as the metrics label it")
    String cause;

    @Label("Reason")
    String reason;
}
