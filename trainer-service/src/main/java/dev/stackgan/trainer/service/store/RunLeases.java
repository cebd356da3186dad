package dev.stackgan.trainer.service.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.connection.ConnectionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which trainer process trains which run, so that several trainers can share one database: a worker claims the
 * oldest claimable run with {@code FOR UPDATE SKIP LOCKED} (two workers never get the same row, and neither waits
 * on the other's lock) and holds it by renewing a lease. A RUNNING run whose lease lapsed lost its worker (killed,
 * or cut off from the database for longer than the lease) and is claimable again. Every write that only the holder
 * may make names the worker, so a worker that lost its run cannot overwrite the new holder's state.
 */
@Singleton
public class RunLeases {

    /** A claimed run, and who held it before when it was taken over from a worker whose lease lapsed. */
    public record Claim(long runId, String previousStatus, @Nullable String previousWorker, long step) {
        public boolean tookOver() {
            return "RUNNING".equals(previousStatus);
        }
    }

    /** A run whose lapsed lease turned it INTERRUPTED (when runs are not resumed automatically). */
    public record Lapsed(long runId, @Nullable String worker, long step) {
    }

    private static final String LAPSED = "status = 'RUNNING' AND (lease_expires_at IS NULL OR lease_expires_at < now())";

    private final ConnectionOperations<Connection> connections;

    public RunLeases(ConnectionOperations<Connection> connections) {
        this.connections = connections;
    }

    /**
     * Claims the oldest run that is QUEUED, INTERRUPTED (when {@code resumeInterrupted}) or RUNNING with a lapsed
     * lease (likewise), marks it RUNNING for {@code worker} until {@code lease} from now, and answers it.
     */
    public Optional<Claim> claimNext(String worker, Duration lease, boolean resumeInterrupted) {
        String claimable = resumeInterrupted ? "status IN ('QUEUED', 'INTERRUPTED') OR (" + LAPSED + ")"
                : "status = 'QUEUED'";
        String sql = "WITH next AS (SELECT id, status, worker_id FROM runs WHERE " + claimable
                + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                + " UPDATE runs r SET status = 'RUNNING', worker_id = ?, lease_expires_at = now() + ? * interval"
                + " '1 millisecond', cancel_requested = false, started_at = COALESCE(r.started_at, now()),"
                + " finished_at = NULL, error = NULL FROM next WHERE r.id = next.id"
                + " RETURNING r.id, next.status, next.worker_id, r.step";
        return write(c -> {
            try (PreparedStatement st = c.prepareStatement(sql)) {
                st.setString(1, worker);
                st.setLong(2, lease.toMillis());
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(new Claim(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getLong(4))) : Optional.<Claim>empty();
                }
            }
        });
    }

    /** RUNNING runs whose lease lapsed become INTERRUPTED (used when interrupted runs wait for a resume call). */
    public List<Lapsed> interruptLapsed() {
        String sql = "WITH lapsed AS (SELECT id, worker_id FROM runs WHERE " + LAPSED + " FOR UPDATE SKIP LOCKED)"
                + " UPDATE runs r SET status = 'INTERRUPTED', worker_id = NULL, lease_expires_at = NULL"
                + " FROM lapsed WHERE r.id = lapsed.id RETURNING r.id, lapsed.worker_id, r.step";
        return write(c -> {
            try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
                List<Lapsed> lapsed = new ArrayList<>();
                while (rs.next()) {
                    lapsed.add(new Lapsed(rs.getLong(1), rs.getString(2), rs.getLong(3)));
                }
                return lapsed;
            }
        });
    }

    /**
     * Extends {@code worker}'s lease on a run. Empty: the worker no longer holds it (another worker took it over,
     * or it ended); otherwise whether someone asked, through another trainer, to cancel it.
     */
    public Optional<Boolean> renew(long runId, String worker, Duration lease) {
        return write(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE runs SET lease_expires_at = now() + ? * interval"
                    + " '1 millisecond' WHERE id = ? AND worker_id = ? AND status = 'RUNNING'"
                    + " RETURNING cancel_requested")) {
                st.setLong(1, lease.toMillis());
                st.setLong(2, runId);
                st.setString(3, worker);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.<Boolean>empty();
                }
            }
        });
    }

    /** The run's progress, written only while {@code worker} holds it. */
    public void progress(long runId, String worker, double progress, long step) {
        update("UPDATE runs SET progress = ?, step = ? WHERE id = ? AND worker_id = ?", progress, step, runId,
                worker);
    }

    /** Ends {@code worker}'s hold on a run with its final (or INTERRUPTED) status; false if it no longer held it. */
    public boolean finish(long runId, String worker, String status, Instant finishedAt, @Nullable String error) {
        return update("UPDATE runs SET status = ?, finished_at = ?, error = ?, worker_id = NULL,"
                + " lease_expires_at = NULL WHERE id = ? AND worker_id = ?", status, Timestamp.from(finishedAt),
                error, runId, worker) == 1;
    }

    /** Cancels a run no worker holds (QUEUED or INTERRUPTED); false if it is not waiting. */
    public boolean cancelWaiting(long runId, Instant finishedAt) {
        return update("UPDATE runs SET status = 'CANCELLED', finished_at = ? WHERE id = ?"
                + " AND status IN ('QUEUED', 'INTERRUPTED')", Timestamp.from(finishedAt), runId) == 1;
    }

    /** Asks the worker that trains a run to cancel it at its next lease renewal; false if the run is not RUNNING. */
    public boolean requestCancel(long runId) {
        return update("UPDATE runs SET cancel_requested = true WHERE id = ? AND status = 'RUNNING'", runId) == 1;
    }

    private int update(String sql, Object... params) {
        return write(c -> {
            try (PreparedStatement st = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    st.setObject(i + 1, params[i]);
                }
                return st.executeUpdate();
            }
        });
    }

    private <T> T write(SqlWork<T> work) {
        return connections.executeWrite(status -> {
            try {
                return work.run(status.getConnection());
            } catch (SQLException e) {
                throw new DataAccess(e);
            }
        });
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** A failed statement (the database away, mostly); callers treat it as every other repository failure. */
    public static final class DataAccess extends RuntimeException {
        DataAccess(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
