package dev.stackgan.trainer.service;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/** {@code stackgan.trainer.*}: where data, runs and bundles live, and how runs are scheduled. */
@ConfigurationProperties("stackgan.trainer")
public class TrainerConfiguration {

    /** Data sets are directories under this root; specs name them relative to it. */
    private Path dataRoot = Path.of("data");
    /** Each run gets {@code run-<id>/} here, with its checkpoints (a docker volume in compose). */
    private Path runsDirectory = Path.of("runs");
    /** Exported bundles, one directory per bundle id. */
    private Path bundlesDirectory = Path.of("bundles");
    /** The serving model repository: bundle directories plus the CURRENT pointer the services poll. */
    private Path modelRepository = Path.of("models");
    /**
     * Runs trained at the same time. Must be 1: DJL's PyTorch engine allows one open GradientCollector per process,
     * so two runs in one process would corrupt each other's gradients. Run more trainer processes instead.
     */
    private int maxConcurrentRuns = 1;
    /** Whether runs found RUNNING at start (the process died) are resumed from their last checkpoint. */
    private boolean resumeInterrupted = true;
    /** How often buffered records are retried while the database is unreachable. */
    private Duration databaseRetryInterval = Duration.ofSeconds(2);
    /**
     * This process's name in {@code runs.worker_id} while it trains a run; unique among the trainers sharing the
     * database (two with one name would renew each other's leases). Empty: host name and process id.
     */
    private String workerId = "";
    /**
     * How long a claimed run stays this worker's without a renewal (renewed every third of it). A run whose worker
     * died waits this long before another worker (or this one, restarted) resumes it.
     */
    private Duration leaseDuration = Duration.ofSeconds(30);
    /** How often the database is asked for a queued run (runs created through this process start at once). */
    private Duration pollInterval = Duration.ofSeconds(2);
    /**
     * Records the journal buffers while the database is unreachable before it drops per-step metric rows and
     * refuses new runs (docs/operations.md). A record is a few hundred bytes: the default is a few MB, and at a step
     * a second about three hours of metrics.
     */
    private int journalCapacity = 10_000;

    public Path getDataRoot() {
        return dataRoot;
    }

    public void setDataRoot(Path dataRoot) {
        this.dataRoot = dataRoot;
    }

    public Path getRunsDirectory() {
        return runsDirectory;
    }

    public void setRunsDirectory(Path runsDirectory) {
        this.runsDirectory = runsDirectory;
    }

    public Path getBundlesDirectory() {
        return bundlesDirectory;
    }

    public void setBundlesDirectory(Path bundlesDirectory) {
        this.bundlesDirectory = bundlesDirectory;
    }

    public Path getModelRepository() {
        return modelRepository;
    }

    public void setModelRepository(Path modelRepository) {
        this.modelRepository = modelRepository;
    }

    public int getMaxConcurrentRuns() {
        return maxConcurrentRuns;
    }

    public void setMaxConcurrentRuns(int maxConcurrentRuns) {
        this.maxConcurrentRuns = maxConcurrentRuns;
    }

    public boolean isResumeInterrupted() {
        return resumeInterrupted;
    }

    public void setResumeInterrupted(boolean resumeInterrupted) {
        this.resumeInterrupted = resumeInterrupted;
    }

    public String getWorkerId() {
        return workerId.isBlank() ? defaultWorkerId() : workerId;
    }

    public void setWorkerId(String workerId) {
        this.workerId = workerId;
    }

    public Duration getLeaseDuration() {
        return leaseDuration;
    }

    public void setLeaseDuration(Duration leaseDuration) {
        this.leaseDuration = leaseDuration;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    private static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    public Duration getDatabaseRetryInterval() {
        return databaseRetryInterval;
    }

    public void setDatabaseRetryInterval(Duration databaseRetryInterval) {
        this.databaseRetryInterval = databaseRetryInterval;
    }

    public int getJournalCapacity() {
        return journalCapacity;
    }

    public void setJournalCapacity(int journalCapacity) {
        this.journalCapacity = journalCapacity;
    }
}
