package dev.stackgan.trainer.service;

import io.micronaut.context.annotation.ConfigurationProperties;
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

    public Duration getDatabaseRetryInterval() {
        return databaseRetryInterval;
    }

    public void setDatabaseRetryInterval(Duration databaseRetryInterval) {
        this.databaseRetryInterval = databaseRetryInterval;
    }
}
