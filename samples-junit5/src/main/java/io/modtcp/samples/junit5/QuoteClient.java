package io.modtcp.samples.junit5;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The service's client: one connection, one request at a time. */
public final class QuoteClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final BufferedWriter out;

    public QuoteClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(30_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII));
    }

    /** The price of {@code symbol} in cents. */
    public long price(String symbol) throws IOException {
        out.write("PRICE " + symbol + "\n");
        out.flush();
        String answer = in.readLine();
        if (answer == null) {
            throw new EOFException("the service closed the connection");
        }
        int space = answer.lastIndexOf(' ');
        if (!answer.startsWith(symbol + " ") || space < 0) {
            throw new IOException("unexpected answer: " + answer);
        }
        return Long.parseLong(answer.substring(space + 1));
    }

    /** Says BYE and waits for the service to close its side. */
    @Override
    public void close() throws IOException {
        try (socket) {
            out.write("BYE\n");
            out.flush();
            socket.shutdownOutput();
            if (in.read() != -1) {
                throw new IOException("data after BYE");
            }
        }
    }
}
