package io.switchboard.instance;

import static io.switchboard.db.Columns.instant;

import io.switchboard.db.DatabaseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The registry of running instances: each registers on start with a unique id, heartbeats, and marks itself
 * stopped on a graceful stop. An instance is alive while its heartbeat is younger than {@link #ALIVE_WINDOW}
 * (database time). Listing shows, per instance, the jobs it runs and the leases it holds.
 */
public final class Instances {
    /** Heartbeat period. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(5);
    /** An instance silent for longer is considered dead. */
    public static final Duration ALIVE_WINDOW = Duration.ofSeconds(20);

    private static final Logger log = LoggerFactory.getLogger(Instances.class);

    private static final String REGISTER = """
            INSERT INTO switchboard.instances (id, hostname, pid) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL
            """;
    private static final String HEARTBEAT_SQL = """
            INSERT INTO switchboard.instances (id, hostname, pid) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()
            """;
    private static final String STOPPED = "UPDATE switchboard.instances SET stopped_at = now() WHERE id = ?";
    private static final String LIST = """
            SELECT i.id, i.hostname, i.pid, i.started_at, i.heartbeat_at, i.stopped_at,
                   i.stopped_at IS NULL AND i.heartbeat_at > now() - ?::bigint * interval '1 millisecond' AS alive,
                   coalesce((SELECT array_agg(j.id ORDER BY j.id) FROM switchboard.jobs j
                             WHERE j.state = 'running' AND j.worker_id = i.id), '{}') AS jobs,
                   coalesce((SELECT array_agg(l.name ORDER BY l.name) FROM switchboard.leases l
                             WHERE l.instance_id = i.id AND l.expires_at > now()), '{}') AS leases
            FROM switchboard.instances i
            WHERE i.heartbeat_at > now() - interval '1 day'
            ORDER BY i.started_at, i.id
            """;
    private static final String PRUNE = "DELETE FROM switchboard.instances WHERE heartbeat_at < now() - interval '1 day'";

    private final DataSource dataSource;
    private final String instanceId;
    private final String hostname;
    private final long pid = ProcessHandle.current().pid();

    /** The registry on {@code dataSource}, for this instance's id. The schema must be migrated. */
    public Instances(DataSource dataSource, String instanceId) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        this.hostname = host;
    }

    /** This instance's id. */
    public String instanceId() {
        return instanceId;
    }

    /** Registers this instance (on start). */
    public void register() throws SQLException {
        upsert(REGISTER);
        log.info("Instance {} registered ({} pid {})", instanceId, hostname, pid);
    }

    /** Records a heartbeat; re-registers the instance if its row was pruned meanwhile. */
    public void heartbeat() throws SQLException {
        upsert(HEARTBEAT_SQL);
    }

    /** Marks this instance stopped (graceful stop). */
    public void markStopped() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(STOPPED)) {
            ps.setString(1, instanceId);
            ps.executeUpdate();
        } catch (SQLException e) {
            log.warn("Could not mark instance {} stopped: {}", instanceId, e.getMessage());
        }
    }

    /** Every instance seen in the last day, alive or not, with its running jobs and held leases. */
    public List<InstanceInfo> list() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LIST)) {
            ps.setLong(1, ALIVE_WINDOW.toMillis());
            List<InstanceInfo> instances = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    instances.add(new InstanceInfo(rs.getString(1), rs.getString(2), rs.getLong(3), instant(rs, 4),
                            instant(rs, 5), instant(rs, 6), rs.getBoolean(7), longs(rs.getArray(8)), strings(rs.getArray(9))));
                }
            }
            return instances;
        } catch (SQLException e) {
            throw new DatabaseException("could not list instances", e);
        }
    }

    /** Deletes instances silent for over a day. */
    public int prune() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PRUNE)) {
            return ps.executeUpdate();
        }
    }

    private void upsert(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, instanceId);
            ps.setString(2, hostname);
            ps.setLong(3, pid);
            ps.executeUpdate();
        }
    }

    private static List<Long> longs(Array array) throws SQLException {
        return Arrays.stream((Long[]) array.getArray()).toList();
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.stream((String[]) array.getArray()).toList();
    }

}
