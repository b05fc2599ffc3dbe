package io.switchboard.server.jobs;

import io.switchboard.Switchboard;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;

/**
 * Starts the workers once the context is ready and stops them gracefully on shutdown. The phase puts the
 * workers' start before the web server opens and their stop after it has drained its requests.
 */
class SwitchboardLifecycle implements SmartLifecycle {
    /** Below the web server's phases (graceful shutdown at DEFAULT_PHASE - 1024, start/stop at - 2048). */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final Switchboard switchboard;
    private final Duration shutdownTimeout;
    private volatile boolean running;

    SwitchboardLifecycle(Switchboard switchboard, Duration shutdownTimeout) {
        this.switchboard = switchboard;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        switchboard.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        switchboard.stop(shutdownTimeout);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
