package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Message;
import dev.sockit.Server;
import dev.sockit.testing.RequiredProgram;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sockit's WebSocket against implementations no one here wrote, each as client and as
 * server: Python's {@code websockets} (Debian python3-websockets) and Node's {@code ws}
 * (Debian node-ws). All clients, sockit's too, offer permessage-deflate; Python's client and
 * server compress what they send, so each side's inflating is exercised, and the bound on it.
 */
class WebSocketPeersTest {

    @TempDir
    Path dir;

    static final String PYTHON_CLIENT = """
            import asyncio, sys, websockets
            async def main(url):
                async with websockets.connect(url, max_size=None) as ws:
                    await ws.send("hello from python")
                    print(await ws.recv(), flush=True)
                    await ws.send(bytes([0, 1, 255]))
                    r = await ws.recv()
                    print(type(r).__name__, r.hex(), flush=True)
                    await ws.send("é" * 50000)
                    r = await ws.recv()
                    print(len(r), r == "é" * 50000, flush=True)
                print("closed", ws.close_code, flush=True)
            asyncio.run(main(sys.argv[1]))
            """;

    static final String PYTHON_SERVER = """
            import asyncio, websockets
            async def echo(ws, path=None):
                async for message in ws:
                    await ws.send(message)
            async def main():
                async with websockets.serve(echo, "127.0.0.1", 0) as server:
                    print(server.sockets[0].getsockname()[1], flush=True)
                    await asyncio.Future()
            asyncio.run(main())
            """;

    /** Compresses what it sends (websockets does, with its context kept between messages), and tells what it agreed. */
    static final String PYTHON_COMPRESSING_SERVER = """
            import asyncio, websockets
            async def handler(ws, path=None):
                await ws.send("extensions: " + ",".join(e.name for e in ws.extensions))
                try:
                    async for message in ws:
                        await ws.send("z" * 4000000 if message == "bomb" else message)
                except websockets.ConnectionClosed:
                    pass  # the bomb's 1009: what the test waits for, not an error to print
                finally:
                    print("closed", ws.close_code, flush=True)
            async def main():
                async with websockets.serve(handler, "127.0.0.1", 0, max_size=None) as server:
                    print(server.sockets[0].getsockname()[1], flush=True)
                    await asyncio.Future()
            asyncio.run(main())
            """;

    static final String NODE_CLIENT = """
            const WebSocket = require('ws');
            const ws = new WebSocket(process.argv[2]);
            const got = [];
            ws.on('open', () => ws.send('hello from node'));
            ws.on('message', (data, isBinary) => {
              got.push(data);
              if (got.length === 1) { console.log(data.toString()); ws.send(Buffer.from([0, 1, 255])); }
              else if (got.length === 2) { console.log(isBinary ? 'binary' : 'text', data.toString('hex'));
                                           ws.send('z'.repeat(70000)); }
              else { console.log(data.length); ws.close(1000, 'done'); }
            });
            ws.on('close', (code) => console.log('closed', code));
            """;

    static final String NODE_SERVER = """
            const WebSocket = require('ws');
            const server = new WebSocket.Server({ host: '127.0.0.1', port: 0 }, () => console.log(server.address().port));
            server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
            """;

    static Server echo() throws IOException {
        return Server.listen(Endpoint.parse("ws://127.0.0.1:0/echo")).handler(Handlers.echo()).start();
    }

    Path python() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python) || new ProcessBuilder(python.toString(), "-c", "import websockets").start()
                .waitFor() != 0) {
            RequiredProgram.missing("Python's websockets is not installed for /usr/bin/python3", "python3-websockets");
        }
        return python;
    }

    Path node() throws Exception {
        Path node = RequiredProgram.find("node", "nodejs node-ws");
        if (!Files.isDirectory(Path.of("/usr/share/nodejs/ws"))) {
            RequiredProgram.missing("Node's ws is not installed", "node-ws");
        }
        return node;
    }

    Process run(Path program, String script, String name, String... args) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, script);
        List<String> command = new ArrayList<>(List.of(program.toString(), file.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("NODE_PATH", "/usr/share/nodejs");
        return builder.start();
    }

    static List<String> lines(Process process, int n) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
        List<String> lines = new ArrayList<>();
        for (String line; lines.size() < n && (line = out.readLine()) != null; ) {
            lines.add(line);
        }
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the client ended").isTrue();
        return lines;
    }

    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    @Test
    void pythonWebsocketsClientTalksToSockit() throws Exception {
        Path python = python();
        try (Server server = echo()) {
            Process client = run(python, PYTHON_CLIENT, "client.py", "ws://127.0.0.1:" + server.port() + "/echo");
            try {
                assertThat(lines(client, 4)).containsExactly("hello from python", "bytes 0001ff", "50000 True",
                        "closed 1000");
            } finally {
                stop(client);
            }
        }
    }

    @Test
    void nodeWsClientTalksToSockit() throws Exception {
        Path node = node();
        try (Server server = echo()) {
            Process client = run(node, NODE_CLIENT, "client.js", "ws://127.0.0.1:" + server.port() + "/echo");
            try {
                assertThat(lines(client, 4)).containsExactly("hello from node", "binary 0001ff", "70000", "closed 1000");
            } finally {
                stop(client);
            }
        }
    }

    @Test
    void sockitClientTalksToPythonWebsocketsServer() throws Exception {
        sockitClientTalksTo(run(python(), PYTHON_SERVER, "server.py"));
    }

    @Test
    void sockitClientTalksToNodeWsServer() throws Exception {
        sockitClientTalksTo(run(node(), NODE_SERVER, "server.js"));
    }

    @Test
    void sockitClientOffersDeflateAndInflatesWhatPythonCompressesUpToItsLimit() throws Exception {
        Process server = run(python(), PYTHON_COMPRESSING_SERVER, "compressing.py");
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(server.getInputStream(), UTF_8));
            String port = said.readLine();
            Endpoint endpoint = Endpoint.parse("ws://127.0.0.1:" + port + "/");
            try (Connection c = Client.connect(endpoint).websocket(WebSocket.defaults().maxMessage(1 << 20)).open()) {
                assertThat(c.receive().text()).isEqualTo("extensions: permessage-deflate");
                // Each message is compressed against the ones before it: the inflater keeps its window.
                for (String text : List.of("héllo", "héllo héllo", "q".repeat(300_000), "héllo")) {
                    c.send(Message.of(text));
                    assertThat(c.receive().text()).isEqualTo(text);
                }
                // 4 MB of one letter, a few KiB on the wire: refused once inflating passes 1 MiB.
                c.send(Message.of("bomb"));
                assertThatThrownBy(c::receive).isInstanceOf(dev.sockit.framing.MessageTooLongException.class);
            }
            assertThat(said.readLine()).isEqualTo("closed 1009");
            try (Connection c = Client.connect(endpoint).websocket(WebSocket.defaults().deflate(false)).open()) {
                assertThat(c.receive().text()).as("not offered, not agreed").isEqualTo("extensions: ");
                c.send(Message.of("plain"));
                assertThat(c.receive().text()).isEqualTo("plain");
            }
        } finally {
            stop(server);
        }
    }

    private static void sockitClientTalksTo(Process server) throws Exception {
        try {
            String port = new BufferedReader(new InputStreamReader(server.getInputStream(), UTF_8)).readLine();
            try (Connection c = Client.connect(Endpoint.parse("ws://127.0.0.1:" + port + "/")).open()) {
                c.send(Message.of("héllo"));
                assertThat(c.receive()).isEqualTo(Message.of("héllo"));
                c.send(Message.binary(new byte[] {0, (byte) 0xFF}));
                Message binary = c.receive();
                assertThat(binary.isBinary()).isTrue();
                assertThat(binary.bytes()).containsExactly(0, 0xFF);
                String big = "q".repeat(100_000);
                c.send(Message.of(big));
                assertThat(c.receive().text()).isEqualTo(big);
            }
        } finally {
            stop(server);
        }
    }
}
