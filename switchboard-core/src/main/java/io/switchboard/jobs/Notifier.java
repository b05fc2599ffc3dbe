package io.switchboard.jobs;

import io.switchboard.db.NotificationListener;

import java.util.List;

/**
 * Listens for NOTIFYs on one dedicated connection: new work on a queue wakes that queue's runner, a cancel
 * request reaches the running handler. After every (re)connect it wakes every runner (notifications may have been
 * missed); while the connection is down the runners' polling fallback keeps work moving.
 */
final class Notifier {
    private final NotificationListener listener;

    Notifier(JobWorker worker) {
        this.listener = new NotificationListener("switchboard-listener", () -> worker.dataSource().getConnection(),
                List.of(JobSql.NOTIFY_CHANNEL, JobSql.CANCEL_CHANNEL), null, new NotificationListener.Receiver() {
                    @Override
                    public void connected(int failures) {
                        worker.wakeAll();
                    }

                    @Override
                    public void received(String channel, String payload) {
                        if (JobSql.CANCEL_CHANNEL.equals(channel)) {
                            worker.cancelRequested(Long.parseLong(payload));
                        } else {
                            worker.wake(payload);
                        }
                    }

                    @Override
                    public void trouble(int failures, Exception cause) {
                        worker.logDatabaseTrouble("listening for job notifications", cause);
                    }
                });
    }

    void start() {
        listener.start();
    }

    void stop() throws InterruptedException {
        listener.stop();
    }
}
