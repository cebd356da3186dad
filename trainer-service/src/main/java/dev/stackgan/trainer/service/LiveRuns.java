package dev.stackgan.trainer.service;

import dev.stackgan.proto.v1.RunProgress;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The newest progress of every run this process trained, and the watchers of each run. Progress is published here
 * as it happens, before its database write (the database may be down): watchers never wait for the database.
 */
@Singleton
public class LiveRuns {

    private final Map<Long, RunProgress> latest = new ConcurrentHashMap<>();
    private final Map<Long, List<Consumer<RunProgress>>> watchers = new ConcurrentHashMap<>();

    public void publish(RunProgress progress) {
        latest.put(progress.getRunId(), progress);
        watchers.getOrDefault(progress.getRunId(), List.of()).forEach(w -> w.accept(progress));
    }

    public Optional<RunProgress> latest(long runId) {
        return Optional.ofNullable(latest.get(runId));
    }

    /** Registers {@code watcher}; the returned action unregisters it. */
    public Runnable watch(long runId, Consumer<RunProgress> watcher) {
        watchers.computeIfAbsent(runId, id -> new CopyOnWriteArrayList<>()).add(watcher);
        return () -> watchers.getOrDefault(runId, List.of()).remove(watcher);
    }
}
