package dev.stackgan.trainer.service;

import ai.djl.ndarray.NDManager;
import dev.stackgan.bundle.BundleException;
import dev.stackgan.bundle.BundleManifest;
import dev.stackgan.bundle.BundleManifest.SourceCheckpoint;
import dev.stackgan.bundle.BundleReader;
import dev.stackgan.bundle.FileDigest;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.networks.model.Network;
import dev.stackgan.networks.model.Stage1Generator;
import dev.stackgan.networks.model.Stage2Generator;
import dev.stackgan.networks.model.TextEncoder;
import dev.stackgan.networks.onnx.BundleExporter;
import dev.stackgan.trainer.run.Checkpoint;
import dev.stackgan.trainer.service.store.BundleRepository;
import dev.stackgan.trainer.service.store.BundleRow;
import dev.stackgan.trainer.service.store.CheckpointRepository;
import dev.stackgan.trainer.service.store.CheckpointRow;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports bundles from recorded checkpoints (after verifying every checkpoint file against its recorded sha256) and
 * promotes them into the serving model repository, in the repository's format: bundle directories named by id and
 * the {@value #POINTER} file holding the id to serve (dev.stackgan.serving.ModelRepository reads exactly this).
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Context
public class Bundles {

    /** The serving repository's pointer file name (ModelRepository.POINTER in serving-runtime). */
    public static final String POINTER = "CURRENT";
    private static final Logger LOG = LoggerFactory.getLogger(Bundles.class);
    private static final String STAGING_MARK = ".partial-";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final TrainerConfiguration config;
    private final ConfinedPaths paths;
    private final CheckpointRepository checkpoints;
    private final BundleRepository bundles;

    public Bundles(TrainerConfiguration config, ConfinedPaths paths, CheckpointRepository checkpoints,
                   BundleRepository bundles) {
        this.config = config;
        this.paths = paths;
        this.checkpoints = checkpoints;
        this.bundles = bundles;
    }

    /** Staging directories of bundle writes and copies that a crash left behind. */
    @PostConstruct
    void cleanOrphans() throws IOException {
        for (Path root : List.of(config.getBundlesDirectory(), config.getModelRepository())) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> children = Files.list(root)) {
                for (Path orphan : children.filter(Bundles::isStaging).toList()) {
                    LOG.info("removing {} left by an interrupted bundle write", orphan);
                    Checkpoint.deleteTree(orphan);
                }
            }
        }
    }

    private static boolean isStaging(Path path) {
        String name = path.getFileName().toString();
        return name.startsWith(".") && name.contains(STAGING_MARK) && Files.isDirectory(path);
    }

    public BundleRow export(List<Long> checkpointIds, String requestedId) throws IOException {
        if (checkpointIds.isEmpty()) {
            throw new InvalidFieldException("checkpoint_ids", "checkpoint_ids must name at least one checkpoint"
                    + " (a Stage-II checkpoint holds all three serving networks)");
        }
        String bundleId = requestedId == null || requestedId.isBlank()
                ? "bundle-" + ID_TIME.format(Instant.now()) + "-" + Integer.toHexString(
                        ThreadLocalRandom.current().nextInt(0x1000, 0x10000))
                : requestedId.trim();
        if (!BundleManifest.isSafeName(bundleId)) {
            throw new InvalidFieldException("bundle_id", "bundle_id " + ConfinedPaths.shown(bundleId)
                    + " is not valid: it must be " + BundleManifest.SAFE_NAME_RULE);
        }
        if (bundles.existsById(bundleId)) {
            throw new InvalidFieldException("bundle_id", "bundle_id " + bundleId + " is already taken");
        }
        List<CheckpointRow> rows = new ArrayList<>();
        List<Checkpoint> sources = new ArrayList<>();
        for (long id : checkpointIds) {
            CheckpointRow row = checkpoints.findById(id)
                    .orElseThrow(() -> new NotFoundException("checkpoint_ids", "no checkpoint with id " + id));
            Path directory = paths.checkpoint("checkpoint_ids", row);
            try {
                DirectoryDigest.verify(directory, DirectoryDigest.parseFiles(row.files()), row.sha256());
                sources.add(Checkpoint.read(directory));
            } catch (IllegalStateException | IOException e) {
                LOG.warn("checkpoint {} at {} cannot be exported", id, directory, e);
                throw new IllegalStateException("checkpoint " + id + " cannot be exported: " + (e instanceof IOException
                        ? "it is not a readable checkpoint" : e.getMessage()));
            }
            rows.add(row);
        }
        Map<String, Checkpoint> holders = new LinkedHashMap<>();
        for (String network : List.of(Checkpoint.TEXT_ENCODER, Checkpoint.STAGE1_GENERATOR,
                Checkpoint.STAGE2_GENERATOR)) {
            Checkpoint holder = sources.stream().filter(c -> c.hasNetwork(network)).reduce((a, b) -> b)
                    .orElseThrow(() -> new InvalidFieldException("checkpoint_ids", "checkpoint_ids " + checkpointIds
                            + " hold no " + network + "; a Stage-II checkpoint holds all three serving networks"));
            holders.put(network, holder);
        }
        Checkpoint newest = sources.get(sources.size() - 1);
        ModelConfig model = newest.modelConfig();
        List<SourceCheckpoint> recorded = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            CheckpointRow row = rows.get(i);
            recorded.add(new SourceCheckpoint(sources.get(i).state().kind(), row.path(), row.sha256(), row.epoch(),
                    row.step()));
        }
        Path directory;
        try (NDManager manager = NDManager.newBaseManager()) {
            TextEncoder textEncoder = load(new TextEncoder(model.text()), holders.get(Checkpoint.TEXT_ENCODER),
                    Checkpoint.TEXT_ENCODER, manager);
            Checkpoint stage1Holder = holders.get(Checkpoint.STAGE1_GENERATOR);
            Checkpoint stage2Holder = holders.get(Checkpoint.STAGE2_GENERATOR);
            Stage1Generator stage1 = load(new Stage1Generator(model), stage1Holder,
                    stage1Holder.imageNetwork(Checkpoint.STAGE1_GENERATOR), manager);
            Stage2Generator stage2 = load(new Stage2Generator(model), stage2Holder,
                    stage2Holder.imageNetwork(Checkpoint.STAGE2_GENERATOR), manager);
            directory = BundleExporter.export(config.getBundlesDirectory().toAbsolutePath(), bundleId, model,
                    holders.get(Checkpoint.TEXT_ENCODER).vocabulary(), textEncoder, stage1, stage2, recorded);
        } catch (BundleException e) {
            throw new IllegalStateException("bundle " + bundleId + " could not be written: " + e.getMessage());
        }
        BundleRow row = new BundleRow(bundleId, directory.toString(), manifestSha256(directory), Instant.now(),
                null);
        bundles.save(row);
        for (int i = 0; i < checkpointIds.size(); i++) {
            bundles.addSource(bundleId, checkpointIds.get(i), i);
        }
        return row;
    }

    private static <N extends Network> N load(N network, Checkpoint from, String name, NDManager manager)
            throws IOException {
        network.initialize(manager);
        from.loadNetwork(name, network, manager);
        return network;
    }

    /** Copies the bundle into the model repository (staged, verified, renamed) and points CURRENT at it. */
    public BundleRow promote(String bundleId) throws IOException {
        BundleRow row = bundles.findById(bundleId)
                .orElseThrow(() -> new NotFoundException("bundle_id", "no bundle with id "
                        + ConfinedPaths.shown(bundleId)));
        Path source = paths.bundle(row);
        String sha = Files.isRegularFile(source.resolve(BundleManifest.FILE)) ? manifestSha256(source) : "missing";
        if (!sha.equals(row.sha256())) {
            throw new IllegalStateException("bundle " + bundleId + ": its " + BundleManifest.FILE + " has sha256 "
                    + sha + " but the record says " + row.sha256());
        }
        Path repository = Files.createDirectories(config.getModelRepository().toAbsolutePath());
        Path target = repository.resolve(bundleId);
        try {
            BundleReader.read(source);
            if (!Files.isDirectory(target)) {
                Path staging = Files.createTempDirectory(repository, "." + bundleId + STAGING_MARK);
                try {
                    try (Stream<Path> files = Files.list(source)) {
                        for (Path file : files.toList()) {
                            Files.copy(file, staging.resolve(file.getFileName().toString()));
                        }
                    }
                    BundleReader.read(staging);
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    if (Files.exists(staging)) {
                        Checkpoint.deleteTree(staging);
                    }
                }
            }
            BundleReader.read(target);
        } catch (BundleException e) {
            throw new IllegalStateException("bundle " + bundleId + " is not servable: " + e.getMessage());
        }
        writePointer(repository, bundleId);
        Instant now = Instant.now();
        bundles.markPromoted(bundleId, now);
        LOG.info("promoted bundle {} to {}", bundleId, repository);
        return bundles.findById(bundleId).orElseThrow();
    }

    /**
     * Points the repository's {@value #POINTER} at {@code bundleId}: temp file and atomic rename, so a polling
     * service never reads half a pointer.
     */
    public static void writePointer(Path repository, String bundleId) throws IOException {
        Path temp = Files.createTempFile(repository, "." + POINTER, ".tmp");
        try {
            Files.writeString(temp, bundleId + "\n", StandardCharsets.UTF_8);
            Files.move(temp, repository.resolve(POINTER), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public List<BundleRow> list() {
        return bundles.listOrderByCreatedAt();
    }

    public List<Long> sources(String bundleId) {
        return bundles.sources(bundleId);
    }

    private static String manifestSha256(Path bundle) {
        try {
            return FileDigest.sha256(bundle.resolve(BundleManifest.FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
