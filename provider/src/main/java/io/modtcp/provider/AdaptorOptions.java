package io.modtcp.provider;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;

/**
 * Options through the {@code socket()} adaptors ({@link SocketAdaptor}, {@link ServerSocketAdaptor}), with the JDK
 * adaptors' two exception rules: the classic {@code setXxx}/{@code getXxx} methods throw only {@link
 * SocketException}; {@code setOption}/{@code getOption} pass the channel's exceptions through but for a closed channel.
 */
final class AdaptorOptions {
    private AdaptorOptions() {}

    /** For a classic setter: every failure as a {@link SocketException}. */
    static <T> void set(NetworkChannel ch, SocketOption<T> name, T value) throws SocketException {
        try {
            ch.setOption(name, value);
        } catch (Exception e) {
            throw SocketAdaptor.socketException(e);
        }
    }

    /** For a classic getter: every failure as a {@link SocketException}. */
    static <T> T get(NetworkChannel ch, SocketOption<T> name) throws SocketException {
        try {
            return ch.getOption(name);
        } catch (Exception e) {
            throw SocketAdaptor.socketException(e);
        }
    }

    /** For {@code setOption}: a closed channel is "Socket is closed". */
    static <T> void setOption(NetworkChannel ch, SocketOption<T> name, T value) throws IOException {
        try {
            ch.setOption(name, value);
        } catch (ClosedChannelException e) {
            throw new SocketException("Socket is closed");
        }
    }

    /** For {@code getOption}: a closed channel is "Socket is closed". */
    static <T> T getOption(NetworkChannel ch, SocketOption<T> name) throws IOException {
        try {
            return ch.getOption(name);
        } catch (ClosedChannelException e) {
            throw new SocketException("Socket is closed");
        }
    }
}
