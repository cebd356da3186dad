package dev.stackgan.trainer.service;

import dev.stackgan.trainer.run.Checkpoint;
import dev.stackgan.trainer.run.RunKind;
import dev.stackgan.trainer.service.store.CheckpointRepository;
import dev.stackgan.trainer.service.store.CheckpointRow;
import dev.stackgan.trainer.service.store.RunRepository;
import dev.stackgan.trainer.service.store.RunRow;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * ImportCheckpoint: a checkpoint trained elsewhere becomes a SUCCEEDED run of its kind holding that one checkpoint,
 * copied into the runs directory, so runs can name it as their parent and bundles can be exported from it. This is
 * how training continues across machines that keep nothing between sessions: a slim parent checkpoint carried in
 * the repository ({@code parent-checkpoint}) is imported and a Stage-II run trains on it.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Singleton
public class CheckpointImports {

    static final int MAX_NAME = 200;

    private final ConfinedPaths paths;
    private final RunScheduler scheduler;
    private final RunRepository runs;
    private final CheckpointRepository checkpoints;

    public CheckpointImports(ConfinedPaths paths, RunScheduler scheduler, RunRepository runs,
                             CheckpointRepository checkpoints) {
        this.paths = paths;
        this.scheduler = scheduler;
        this.runs = runs;
        this.checkpoints = checkpoints;
    }

    /** Checks, copies and records the checkpoint at {@code path} (relative to the data root). */
    public CheckpointRow importCheckpoint(String path, String name) throws IOException {
        if (path.isBlank()) {
            throw new InvalidFieldException("path", "path is required: a checkpoint directory relative to the data"
                    + " root");
        }
        if (name.length() > MAX_NAME) {
            throw new InvalidFieldException("name", "name must be at most " + MAX_NAME + " characters, got "
                    + name.length());
        }
        Path source = paths.importSource(path);
        if (!Files.isRegularFile(source.resolve(Checkpoint.STATE_FILE), LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidFieldException("path", "path " + ConfinedPaths.shown(path) + " is not a checkpoint: it"
                    + " has no " + Checkpoint.STATE_FILE);
        }
        List<Path> files = regularFiles(path, source);
        Checkpoint checkpoint;
        RunKind kind;
        try {
            checkpoint = Checkpoint.read(source);
            kind = RunKind.parse(checkpoint.state().kind());
            checkpoint.modelConfig();
            checkpoint.vocabulary();
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidFieldException("path", "path " + ConfinedPaths.shown(path) + " is not a readable"
                    + " checkpoint: " + e.getMessage().replace(source.toString(), path));
        }
        for (String network : checkpoint.requiredNetworks()) {
            if (!checkpoint.hasNetwork(network)) {
                throw new InvalidFieldException("path", "path " + ConfinedPaths.shown(path) + " holds a "
                        + kind.id() + " checkpoint without the network " + network + " (" + network + ".params)");
            }
        }
        Checkpoint.State state = checkpoint.state();
        Instant now = Instant.now();
        String runName = name.isBlank() ? "imported " + source.getFileName() : name.trim();
        // the stored spec names what the run is; it is never resolved, since an imported run never trains
        String spec = RunSubmissions.toJson(new dev.stackgan.trainer.run.RunSpec(runName, kind.id(), null, null,
                null, null, null, null, null, null, null, null, null, null, null, null));
        RunRow run = runs.save(new RunRow(null, runName, kind.id(), RunStatus.SUCCEEDED.name(), spec, "", null,
                now, now, now, null, 1.0, state.step(), state.step(), null));
        Path target = scheduler.runDirectory(run.id()).resolve("checkpoints")
                .resolve(Checkpoint.directoryName(state));
        try {
            Checkpoint.copyFiles(files, target);
            DirectoryDigest digest = DirectoryDigest.of(target);
            checkpoints.upsert(run.id(), state.epoch(), state.step(), target.toString(), digest.sha256(),
                    digest.filesJson(), digest.sizeBytes(), Protos.json(Map.of()), now);
        } catch (IOException | RuntimeException e) {
            runs.deleteById(run.id());
            if (Files.exists(target.getParent().getParent())) {
                Checkpoint.deleteTree(target.getParent().getParent());
            }
            throw e;
        }
        return checkpoints.findByPath(target.toString()).orElseThrow();
    }

    /** A checkpoint is flat: regular files only, so nothing is read through a link that leaves the data root. */
    private static List<Path> regularFiles(String path, Path source) throws IOException {
        try (Stream<Path> children = Files.list(source)) {
            List<Path> files = children.sorted().toList();
            for (Path file : files) {
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    throw new InvalidFieldException("path", "path " + ConfinedPaths.shown(path) + " holds "
                            + file.getFileName() + ", which is not a regular file: a checkpoint is a directory of"
                            + " files, without links or subdirectories");
                }
            }
            return files;
        }
    }
}
