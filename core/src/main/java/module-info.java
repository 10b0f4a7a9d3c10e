/**
 * sockit core: endpoints, framings, connections, servers and clients, with no dependency
 * beyond the JDK. See {@link dev.sockit} for the picture.
 */
module dev.sockit {
    exports dev.sockit;
    exports dev.sockit.framing;
}
