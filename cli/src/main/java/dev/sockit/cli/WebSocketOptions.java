package dev.sockit.cli;

import dev.sockit.websocket.WebSocket;
import picocli.CommandLine.Option;

/** The options of a ws:// or wss:// endpoint, for the server. */
final class WebSocketOptions {

    @Option(names = "--allow-origin", paramLabel = "ORIGIN", split = ",",
            description = "ws://: let only pages from these origins connect, as browsers send them "
                    + "(https://example.org, http://127.0.0.1:8080); others get 403. Programs that send no Origin are "
                    + "not affected. Default: every origin.")
    String[] allowOrigin = {};

    @Option(names = "--subprotocol", paramLabel = "NAME", split = ",",
            description = "ws://: the subprotocols spoken, most preferred first; the first one a client offers is chosen.")
    String[] subprotocols = {};

    @Option(names = "--max-message", paramLabel = "BYTES", defaultValue = "1048576",
            description = "ws://: the largest message taken, all fragments together, inflated; a larger one closes the "
                    + "connection with 1009. Default: ${DEFAULT-VALUE}.")
    int maxMessage = WebSocket.DEFAULT_MAX_MESSAGE;

    @Option(names = "--no-page", description = "ws://: answer a plain GET with 426 Upgrade Required instead of the "
            + "built-in page.")
    boolean noPage;

    @Option(names = "--no-deflate", description = "ws://: decline permessage-deflate (compression) when clients offer it.")
    boolean noDeflate;

    WebSocket websocket() {
        return WebSocket.defaults().maxMessage(maxMessage).allowOrigin(allowOrigin).subprotocols(subprotocols)
                .page(!noPage).deflate(!noDeflate);
    }

    /** True when an option was given that only WebSocket endpoints take. */
    boolean given() {
        return allowOrigin.length > 0 || subprotocols.length > 0 || maxMessage != WebSocket.DEFAULT_MAX_MESSAGE
                || noPage || noDeflate;
    }
}
