package dev.sockit.cli;

import dev.sockit.Client;
import dev.sockit.Endpoint;
import dev.sockit.websocket.WebSocket;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of a ws:// or wss:// endpoint, for the client: what websocat users reach for. */
final class WebSocketClientOptions {

    @Option(names = "--binary", description = "ws://: send each message as a binary WebSocket message, not text.")
    boolean binary;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
            description = "ws://: a header to send with the upgrade request, e.g. -H 'Authorization: Bearer T'. Repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--origin", paramLabel = "ORIGIN",
            description = "ws://: the Origin header, as a browser on that page would send it, e.g. https://example.org.")
    String origin;

    @Option(names = "--subprotocol", paramLabel = "NAME", split = ",",
            description = "ws://: the subprotocols to offer, most preferred first.")
    String[] subprotocols = {};

    @Option(names = "--max-message", paramLabel = "BYTES", defaultValue = "1048576",
            description = "ws://: the largest message taken from the server, all fragments together, inflated; a larger "
                    + "one closes the connection with 1009. Default: ${DEFAULT-VALUE}.")
    int maxMessage = WebSocket.DEFAULT_MAX_MESSAGE;

    @Option(names = "--no-deflate", description = "ws://: do not offer permessage-deflate (compression), which is "
            + "offered as browsers offer it; a server that compresses its messages has them inflated, up to "
            + "--max-message.")
    boolean noDeflate;

    /** Applies the options to a client of {@code endpoint}; refuses them for other kinds. */
    void applyTo(Client client, Endpoint endpoint) {
        boolean given = binary || !headers.isEmpty() || origin != null || subprotocols.length > 0 || noDeflate
                || maxMessage != WebSocket.DEFAULT_MAX_MESSAGE;
        if (!endpoint.kind().isWebSocket()) {
            if (given) {
                throw new IllegalArgumentException("--binary, --header, --origin, --subprotocol, --max-message and"
                        + " --no-deflate apply to ws:// and wss:// endpoints; connect to ws://" + endpoint.authority()
                        + "/PATH");
            }
            return;
        }
        if (maxMessage < 1) {
            throw new IllegalArgumentException("--max-message must be at least 1 byte, not " + maxMessage);
        }
        client.websocket(WebSocket.defaults().subprotocols(subprotocols).sendBinary(binary).maxMessage(maxMessage)
                .deflate(!noDeflate));
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--header \"" + header + "\" is not NAME: VALUE, e.g."
                        + " --header 'Authorization: Bearer TOKEN'");
            }
            client.header(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        if (origin != null) {
            client.header("Origin", origin);
        }
    }
}
