package io.switchboard.lock;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;

/** Holds one kept-alive lease in a JVM of its own until killed. Arguments: jdbcUrl leaseName ttlMillis. */
public final class LeaseHolderProcess {
    private LeaseHolderProcess() {
    }

    public static void main(String[] args) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setMaximumPoolSize(3);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            Leases leases = new Leases(ds, "holder-process");
            Lease lease = leases.acquire(args[1], LeaseOptions.keptAlive(Duration.ofMillis(Long.parseLong(args[2]))),
                    Duration.ofSeconds(30));
            System.out.println("READY token=" + lease.fencingToken());
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
            while (stdin.readLine() != null) {
                // hold until killed
            }
        }
    }
}
