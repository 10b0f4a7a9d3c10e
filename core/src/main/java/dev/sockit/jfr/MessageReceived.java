package dev.sockit.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Off by default: one per message is too many for a long recording; enable it for a short one. */
@Name("dev.sockit.MessageReceived")
@Label("Message Received")
@Category("sockit")
@Description("A handler received a message (off by default: enable it for a short recording)")
@Enabled(false)
@StackTrace(false)
final class MessageReceived extends jdk.jfr.Event {
    @Label("Connection Id")
    long connection;

    @Label("Size")
    @DataAmount(DataAmount.BYTES)
    long size;
}
