/**
 * The PROXY protocol (HAProxy's doc/proxy-protocol.txt, versions 1 and 2): the header a load
 * balancer such as HAProxy, nginx or a cloud load balancer puts before a connection's first
 * byte, so that the server behind it learns the real client's address.
 *
 * <pre>
 * proxy ── connect ──► server
 *          "PROXY TCP4 203.0.113.7 192.0.2.1 5555 8001\r\n"   (v1, text)
 *          \r\n\r\n\0\r\nQUIT\n 0x21 0x11 len addresses TLVs   (v2, binary)
 *          then the client's own bytes
 * </pre>
 *
 * {@link dev.sockit.proxy.ProxyHeaderDecoder} reads a header from bytes (no sockets);
 * {@link dev.sockit.proxy.ProxyHeader} is what it says, and writes one for a sender;
 * {@link dev.sockit.proxy.ProxyProtocol} is a server's setting: which versions, from which
 * proxies, within what time.
 */
package dev.sockit.proxy;
