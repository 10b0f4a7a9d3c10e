package dev.sockit.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

@Name("dev.sockit.ServerStatistics")
@Label("Server Statistics")
@Category("sockit")
@Description("A server's counters, taken periodically: connections open and since the start, and its traffic")
@Period("5 s")
@StackTrace(false)
final class ServerStatistics extends jdk.jfr.Event {
    @Label("Endpoint")
    String endpoint;

    @Label("Connections Open")
    long open;

    @Label("Connections Accepted")
    long accepted;

    @Label("Connections Rejected")
    @Description("Turned away at a connection limit")
    long rejected;

    @Label("Connections Refused")
    @Description("Refused by the access policy")
    long refused;

    @Label("Proxy Headers Refused")
    @Description("From a trusted proxy, refused for a bad or missing PROXY header")
    long proxyHeaderRefused;

    @Label("Messages Received")
    long messagesReceived;

    @Label("Messages Sent")
    long messagesSent;

    @Label("Bytes Received")
    @DataAmount(DataAmount.BYTES)
    long bytesReceived;

    @Label("Bytes Sent")
    @DataAmount(DataAmount.BYTES)
    long bytesSent;
}
