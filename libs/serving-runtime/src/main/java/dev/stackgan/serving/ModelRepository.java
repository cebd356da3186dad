package dev.stackgan.serving;

import dev.stackgan.bundle.BundleException;
import dev.stackgan.bundle.BundleManifest;
import dev.stackgan.bundle.BundleReader;
import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.bundle.graph.TensorSpec;
import io.grpc.Metadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle versions one service serves for its graph. The repository directory holds bundles as sub-directories
 * named by bundle id and a pointer file {@value #POINTER} holding the id to serve. The pointer is polled; a newly
 * promoted version is verified ({@link BundleReader}), warmed up with one batch-1 run and then swapped in
 * atomically. If any of that fails, the old version keeps serving and {@link #state()} says why. The last
 * {@code keepVersions} versions stay loaded so that requests pinned to the previous one still succeed.
 *
 * <p>With a {@link DefaultBundle}, a repository with no (or an empty) pointer serves that shipped bundle instead of
 * nothing; the first promotion swaps away from it like from any other version. The default only fills in while no
 * promoted bundle serves: a promoted bundle whose pointer disappears keeps serving.
 */
public final class ModelRepository implements AutoCloseable {

    public static final String POINTER = "CURRENT";

    private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);

    private final Path directory;
    private final String graph;
    private final OrtRuntime runtime;
    private final int keepVersions;
    /** Served while nothing is promoted; null when {@code stackgan.serving.default-bundle} is off. */
    private final DefaultBundle defaultBundle;
    private final List<Consumer<State>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "model-repository-poller");
        thread.setDaemon(true);
        return thread;
    });
    private final ReentrantLock loading = new ReentrantLock();
    /** Loaded versions, oldest first; guarded by this. */
    private final LinkedHashMap<String, LoadedModel> loaded = new LinkedHashMap<>();
    private volatile boolean pointerMissingLogged;
    private volatile State state = new State(null, List.of(), null, null);

    /**
     * @param current        the version served to requests without model_version; null until one loads
     * @param loadedVersions every servable version, current first
     * @param lastError      why the last promoted version could not be loaded; null if it could
     * @param lastErrorVersion the version {@code lastError} is about
     */
    public record State(String current, List<String> loadedVersions, String lastError, String lastErrorVersion) {
        public boolean ready() {
            return current != null;
        }
    }

    public ModelRepository(Path directory, String graph, OrtRuntime runtime, int keepVersions) {
        this(directory, graph, runtime, keepVersions, null);
    }

    /** @param defaultBundle served while the repository has no promoted bundle; null serves nothing then */
    public ModelRepository(Path directory, String graph, OrtRuntime runtime, int keepVersions,
                           DefaultBundle defaultBundle) {
        if (keepVersions < 1) {
            throw new IllegalArgumentException("stackgan.serving.keep-versions must be >= 1, got " + keepVersions);
        }
        this.directory = directory;
        this.graph = graph;
        this.runtime = runtime;
        this.keepVersions = keepVersions;
        this.defaultBundle = defaultBundle;
    }

    /** Writes {@code bundleId} into the pointer file atomically (temp file + rename), so pollers never see half. */
    public static void promote(Path repository, String bundleId) throws IOException {
        Path temp = Files.createTempFile(repository, "." + POINTER, ".tmp");
        Files.writeString(temp, bundleId + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(temp, repository.resolve(POINTER), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, repository.resolve(POINTER), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Loads the promoted version now and then polls the pointer every {@code pollInterval}. */
    public void start(Duration pollInterval) {
        poller.scheduleWithFixedDelay(this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void addListener(Consumer<State> listener) {
        listeners.add(listener);
        listener.accept(state);
    }

    public State state() {
        return state;
    }

    public String graph() {
        return graph;
    }

    public OrtRuntime runtime() {
        return runtime;
    }

    /**
     * A lease on {@code version}, or on the current version when it is null. FAILED_PRECONDITION when no model is
     * loaded or the version is not (or no longer) loaded, naming the versions that are.
     */
    public synchronized ModelLease lease(String version) {
        State now = state;
        if (!now.ready()) {
            throw Errors.failedPrecondition("no model is loaded yet from " + directory
                    + (now.lastError() == null ? "" : "; last load error: " + now.lastError()));
        }
        String wanted = version == null ? now.current() : version;
        LoadedModel model = loaded.get(wanted);
        if (model == null || !model.tryAcquire()) {
            Metadata trailers = new Metadata();
            if (now.current() != null) {
                trailers.put(ModelVersions.CURRENT_VERSION_TRAILER, now.current());
            }
            throw Errors.failedPrecondition("model_version '" + Errors.excerpt(wanted)
                    + "' is not loaded here; available: " + now.loadedVersions(), trailers);
        }
        return new ModelLease(model);
    }

    /** Reads the pointer and swaps to the version it names if that is new. Returns the resulting state. */
    public State reload() {
        return reloadPointer(true);
    }

    private void poll() {
        try {
            // A version that failed stays failed (bundles are immutable by id): polls do not retry it.
            reloadPointer(false);
        } catch (RuntimeException e) {
            LOG.error("model repository poll failed", e);
        }
    }

    private State reloadPointer(boolean retryFailed) {
        Path pointer = directory.resolve(POINTER);
        String promoted;
        try {
            promoted = Files.readString(pointer, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            promoted = "";
        } catch (IOException e) {
            return failed(null, "cannot read " + pointer + ": " + e);
        }
        if (promoted.isEmpty()) {
            return defaultBundle == null ? nothingPromoted() : serveDefault(retryFailed);
        }
        if (!retryFailed && promoted.equals(state.lastErrorVersion())) {
            return state;
        }
        String version = promoted;
        return switchTo(version, () -> directory.resolve(version));
    }

    private State nothingPromoted() {
        if (!pointerMissingLogged) {
            pointerMissingLogged = true;
            LOG.info("no {} in {} yet: not serving until a bundle is promoted", POINTER, directory);
        }
        return state;
    }

    /**
     * Loads the shipped default bundle unless a promoted version already serves. Checked under {@code loading}, so a
     * promotion loaded meanwhile by another reload is never replaced by the default.
     */
    private State serveDefault(boolean retryFailed) {
        String id = defaultBundle.bundleId();
        loading.lock();
        try {
            State now = state;
            if (now.ready() && !id.equals(now.current())
                    || !retryFailed && id.equals(now.lastErrorVersion())) {
                return now;
            }
            if (!now.ready()) {
                LOG.info("no bundle promoted in {}: serving the shipped default bundle {}", directory, id);
            }
            return switchTo(id, defaultBundle::directory);
        } finally {
            loading.unlock();
        }
    }

    /**
     * Reloads are serialized by {@code loading}; the slow part (verify, create session, warm up) runs without the
     * repository's monitor, so requests keep leasing the old version meanwhile. Only the swap itself holds it.
     */
    private State switchTo(String version, Callable<Path> bundleDirectory) {
        loading.lock();
        try {
            LoadedModel model;
            synchronized (this) {
                if (version.equals(state.current())) {
                    return state.lastError() == null ? state
                            : publish(new State(version, state.loadedVersions(), null, null));
                }
                model = loaded.get(version);
            }
            if (model == null) {
                try {
                    model = load(version, bundleDirectory);
                } catch (Exception e) {
                    String why = e instanceof BundleException ? e.getMessage() : e.toString();
                    LOG.error("bundle {} not loaded, still serving {}: {}", version, state.current(), why);
                    return failed(version, why);
                }
            }
            synchronized (this) {
                loaded.remove(version); // re-inserted as the newest
                loaded.put(version, model);
                while (loaded.size() > keepVersions) {
                    String oldest = loaded.keySet().iterator().next();
                    loaded.remove(oldest).retire();
                }
                LOG.info("serving {} of bundle {} on {}", graph, version, runtime.activeProvider());
                return publish(new State(version, versionsNewestFirst(), null, null));
            }
        } finally {
            loading.unlock();
        }
    }

    private LoadedModel load(String version, Callable<Path> bundleDirectory) throws Exception {
        // the pointer must name a directory entry of the repository, never a path elsewhere
        if (!BundleManifest.isSafeName(version)) {
            throw new BundleException(POINTER, "names '" + version + "', not a bundle id");
        }
        ModelBundle bundle = BundleReader.read(bundleDirectory.call());
        if (!bundle.manifest().bundleId().equals(version)) {
            throw new BundleException("manifest.json", "bundleId is '" + bundle.manifest().bundleId()
                    + "' but the directory is '" + version + "'");
        }
        LoadedModel model = new LoadedModel(bundle, graph, runtime);
        try {
            // every session once, so neither allocates its buffers on a user's request
            Map<String, InputRows> inputs = warmUpInputs(model);
            model.run(inputs, false);
            if (model.hasOverlapSession()) {
                model.run(inputs, true);
            }
        } catch (Exception e) {
            model.retire();
            throw e;
        }
        return model;
    }

    /** One row of zeros per input: exercises the whole graph once before real requests see it. */
    private static Map<String, InputRows> warmUpInputs(LoadedModel model) {
        Map<String, InputRows> inputs = new HashMap<>();
        for (TensorSpec spec : model.signature().inputs()) {
            long[] rowShape = Tensors.rowShape(spec.shapeArray());
            int size = Math.toIntExact(InputRows.rowSize(rowShape));
            inputs.put(spec.name(), TensorSpec.INT64.equals(spec.dtype())
                    ? new InputRows.Longs(new long[size], rowShape)
                    : new InputRows.Floats(new float[size], rowShape));
        }
        return inputs;
    }

    private synchronized State failed(String version, String why) {
        State now = state;
        return publish(new State(now.current(), now.loadedVersions(), why, version));
    }

    private List<String> versionsNewestFirst() {
        List<String> versions = new ArrayList<>(loaded.keySet());
        Collections.reverse(versions);
        return List.copyOf(versions);
    }

    private State publish(State next) {
        state = next;
        listeners.forEach(listener -> listener.accept(next));
        return next;
    }

    @Override
    public void close() {
        poller.shutdownNow();
        synchronized (this) {
            loaded.values().forEach(LoadedModel::retire);
            loaded.clear();
        }
        if (defaultBundle != null) {
            defaultBundle.close();
        }
    }
}
