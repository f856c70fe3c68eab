package io.modtcp.samples.junit5;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An application as any other, with nothing of modtcp in it: a line protocol over plain {@code java.net} sockets. A
 * client sends {@code PRICE <symbol>}, the service answers {@code <symbol> <price in cents>}, one line each, and {@code
 * BYE} ends the session. One thread per connection.
 */
public final class QuoteService implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;

    /** Listens on 127.0.0.1, on a port the system picks ({@link #port()}). */
    public QuoteService() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "quote-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The price of {@code symbol} in cents: a fixed function of its letters, so a test can check every answer. */
    public static long priceCents(String symbol) {
        long h = 17;
        for (char c : symbol.toCharArray()) {
            h = h * 31 + c;
        }
        return 100 + Math.floorMod(h, 100_000);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "quote-session");
                t.setDaemon(true);
                t.start();
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                System.err.println("quote service: accept failed: " + e);
            }
        }
    }

    private static void serve(Socket s) {
        try (s;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                BufferedWriter out =
                        new BufferedWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null && !line.equals("BYE")) {
                String answer;
                if (line.startsWith("PRICE ") && line.length() > 6) {
                    String symbol = line.substring(6).trim().toUpperCase(Locale.ROOT);
                    answer = symbol + " " + priceCents(symbol);
                } else {
                    answer = "ERROR unknown request";
                }
                out.write(answer);
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            System.err.println("quote service: session ended: " + e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
