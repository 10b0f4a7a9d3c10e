package dev.sockit.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("dev.sockit.SlowReaderDisconnect")
@Label("Slow Reader Disconnect")
@Category("sockit")
@Description("A peer that did not read what was pushed to it was disconnected at its outbound limit")
@StackTrace(false)
final class SlowReaderDisconnect extends jdk.jfr.Event {
    @Label("Connection Id")
    long connection;

    @Label("Remote Address")
    String remote;

    @Label("Queued Bytes")
    @DataAmount(DataAmount.BYTES)
    long queuedBytes;

    @Label("Reason")
    String reason;
}
