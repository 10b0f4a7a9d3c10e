package dev.sockit.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("dev.sockit.TlsCertificateReload")
@Label("TLS Certificate Reload")
@Category("sockit")
@Description("The certificate files changed and were read again; on failure the previous ones stay in use")
@StackTrace(false)
final class TlsCertificateReload extends jdk.jfr.Event {
    @Label("Files")
    String files;

    @Label("Succeeded")
    boolean succeeded;

    @Label("Failure")
    String failure;
}
