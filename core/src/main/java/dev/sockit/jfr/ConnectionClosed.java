package dev.sockit.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

@Name("dev.sockit.ConnectionClosed")
@Label("Connection Closed")
@Category("sockit")
@Description("A connection closed: how long it was open, what it carried, and why it ended")
@StackTrace(false)
final class ConnectionClosed extends jdk.jfr.Event {
    @Label("Connection Id")
    long connection;

    @Label("Protocol")
    String protocol;

    @Label("Remote Address")
    String remote;

    @Label("Lifetime")
    @Description("How long the connection was open")
    @Timespan(Timespan.NANOSECONDS)
    long lifetime;

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

    @Label("Reason Code")
    @Description("CloseReason.Code in lower case, as the metrics label it: peer_closed, timeout, limit, ...")
    String reasonCode;

    @Label("Reason")
    String reason;
}
