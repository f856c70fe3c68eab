/**
 * The JDK provider: what moves unmodified Java programs onto modtcp.
 *
 * <ul>
 *   <li>{@link io.modtcp.provider.ModTcpSelectorProvider}: NIO {@code SocketChannel}, {@code ServerSocketChannel} and
 *       {@code Selector} on modtcp sockets, with cached {@code socket()} adaptors; datagram channels, pipes and
 *       UNIX-domain channels delegated to the platform provider (and selectable by a modtcp selector through a
 *       bridge).
 *   <li>{@link io.modtcp.provider.ModTcpSocketImplFactory}: a {@code SocketImpl} for {@code java.net.Socket} and
 *       {@code ServerSocket}.
 *   <li>{@link io.modtcp.provider.agent.ModTcpAgent}: installs both before {@code main}.
 *   <li>{@link io.modtcp.provider.ModTcpConfig} and {@link io.modtcp.provider.ModTcpRuntime}: the {@code modtcp.*}
 *       configuration and the lazily booted, process-wide stack.
 * </ul>
 *
 * <p>Owns no protocol state: everything goes through {@link io.modtcp.stack.socket.TcpSocket}. Behaviour is the JDK's
 * documented behaviour; the tests run each case against the platform provider too. Read first: the JDK's
 * {@code java.nio.channels.spi} Javadoc, {@code sun.nio.ch.SelectorImpl} (selected-key rules) and
 * {@code SocketChannelImpl} (blocking, interrupt and close rules).
 */
package io.modtcp.provider;
