package io.switchboard.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A load generator over plain HTTP/1.1 keep-alive sockets (cheap per request, so the generator takes little of
 * the machine from the server it measures). Open loop at an offered rate: request {@code i} is due at
 * {@code start + i / rate} and its latency counts from that moment, so a slow server is charged for the requests
 * that queued behind it (no coordinated omission). Rate 0: closed loop, every connection sends back to back.
 */
final class HttpLoad {

    /** One request to send; {@link Exchange#check} judges its response. */
    interface Exchange {
        String path();

        List<String> headers();

        byte[] body();

        /** Called with the response; returns false if it is not what the request should get. */
        boolean check(int status, String body);
    }

    /** Makes the {@code i}-th request of a step. */
    @FunctionalInterface
    interface Requests {
        Exchange next(long i);
    }

    /** What one step measured: answered requests per second, acknowledgement latency, wrong answers. */
    record Outcome(long sent, long wrong, double seconds, double p50Millis, double p99Millis, double maxMillis, String firstWrong) {
        double perSecond() {
            return sent / seconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,.0f/s p50 %.2f ms p99 %.2f ms max %.1f ms%s", perSecond(), p50Millis, p99Millis,
                    maxMillis, wrong == 0 ? "" : ", " + wrong + " WRONG (first: " + firstWrong + ")");
        }
    }

    private final int port;
    private final int connections;

    HttpLoad(int port, int connections) {
        this.port = port;
        this.connections = connections;
    }

    /** Sends {@code requests} for {@code duration} at {@code rate} per second (0: as fast as the server answers). */
    Outcome run(int rate, Duration duration, Requests requests) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        List<String> firstWrong = Collections.synchronizedList(new ArrayList<>());
        long interval = rate == 0 ? 0 : 1_000_000_000L / rate;
        long start = System.nanoTime() + 10_000_000L;
        long end = start + duration.toNanos();
        long[][] latencies = new long[connections][];
        int[] counts = new int[connections];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int slot = c;
            threads.add(Thread.ofPlatform().name("load-" + c).start(() -> {
                long[] mine = new long[1024];
                int n = 0;
                Connection connection = null;
                try {
                    while (true) {
                        long i = next.getAndIncrement();
                        long due;
                        if (rate == 0) {
                            due = Math.max(System.nanoTime(), start);
                        } else {
                            due = start + i * interval;
                        }
                        if (due >= end) {
                            break;
                        }
                        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                            LockSupport.parkNanos(wait);
                        }
                        Exchange exchange = requests.next(i);
                        String answer;
                        int status;
                        try {
                            if (connection == null) {
                                connection = new Connection(port);
                            }
                            status = connection.post(exchange.path(), exchange.headers(), exchange.body());
                            answer = connection.lastBody;
                            if (connection.closeAfter) {
                                connection.close();
                                connection = null;
                            }
                        } catch (IOException e) {
                            status = -1;
                            answer = e.toString();
                            if (connection != null) {
                                connection.close();
                            }
                            connection = null;
                        }
                        long latency = System.nanoTime() - due;
                        if (!exchange.check(status, answer)) {
                            wrong.incrementAndGet();
                            if (firstWrong.isEmpty()) {
                                firstWrong.add(status + " " + answer);
                            }
                        }
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = latency;
                    }
                } finally {
                    if (connection != null) {
                        connection.close();
                    }
                    latencies[slot] = mine;
                    counts[slot] = n;
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = Math.max(System.nanoTime(), end) - start;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < connections; c++) {
            System.arraycopy(latencies[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        return new Outcome(total, wrong.get(), seconds / 1e9, millis(all, 0.50), millis(all, 0.99),
                total == 0 ? 0 : all[total - 1] / 1e6, firstWrong.isEmpty() ? null : firstWrong.getFirst());
    }

    private static double millis(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    /** One keep-alive connection; answers are read by Content-Length or chunked transfer coding. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final String host;
        String lastBody;
        boolean closeAfter;

        Connection(int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(60_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            host = "127.0.0.1:" + port;
        }

        int post(String path, List<String> headers, byte[] body) throws IOException {
            StringBuilder head = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                    .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            for (String header : headers) {
                head.append(header).append("\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            int length = -1;
            boolean chunked = false;
            closeAfter = false;
            for (String line = line(); !line.isEmpty(); line = line()) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closeAfter = true;
                }
            }
            byte[] answer;
            if (chunked) {
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                     size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    all.write(in.readNBytes(size));
                    line();
                }
                for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                    // trailers are not used
                }
                answer = all.toByteArray();
            } else if (length >= 0) {
                answer = in.readNBytes(length);
            } else {
                closeAfter = true;
                answer = in.readAllBytes();
            }
            lastBody = new String(answer, StandardCharsets.UTF_8);
            return status;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("the server closed the connection");
                }
                if (b == '\n') {
                    int len = line.length();
                    return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
                }
                line.append((char) b);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
