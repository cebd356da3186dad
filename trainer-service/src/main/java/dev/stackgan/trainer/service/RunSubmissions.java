package dev.stackgan.trainer.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.stackgan.datasets.CubDataset;
import dev.stackgan.datasets.CubLayout;
import dev.stackgan.datasets.DataLayoutException;
import dev.stackgan.trainer.run.Checkpoint;
import dev.stackgan.trainer.run.RunKind;
import dev.stackgan.trainer.run.RunSpec;
import dev.stackgan.trainer.service.store.CheckpointRepository;
import dev.stackgan.trainer.service.store.CheckpointRow;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a submitted spec completely before anything is recorded: every field ({@link RunSpec#resolve}), the data
 * set (inside the data root, present, with at least one batch of training images by its index files) and the
 * parent checkpoints (ids on record, readable, of the right kind). Each refusal is an IllegalArgumentException naming
 * the field and the limit. Specs are stored as JSON ({@link #toJson}, the spec files' format) with the checkpoint
 * ids replaced by their directories.
 */
@Singleton
public class RunSubmissions {

    static final ObjectMapper SPEC_JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private static final Logger LOG = LoggerFactory.getLogger(RunSubmissions.class);

    private final ConfinedPaths paths;
    private final CheckpointRepository checkpoints;

    /**
     * A spec that passed every check.
     *
     * @param spec               as stored: checkpoint ids replaced by their directories
     * @param parentCheckpointId the recorded checkpoint the run starts from, or null
     * @param trainingImages     training images of the data set by its index files
     * @param totalSteps         steps of the whole run
     */
    public record Submission(RunSpec spec, RunSpec.Resolved resolved, String specJson, Long parentCheckpointId,
                             int trainingImages, long totalSteps) {
    }

    private record Reference(String path, Long checkpointId) {
    }

    public RunSubmissions(ConfinedPaths paths, CheckpointRepository checkpoints) {
        this.paths = paths;
        this.checkpoints = checkpoints;
    }

    /** {@code spec} names its parent checkpoints by id (decimal text), as {@link Protos#spec} makes them. */
    public Submission check(RunSpec spec) {
        RunSpec.Resolved resolved = spec.resolve();
        Path dataset = datasetDirectory(resolved.dataset());
        int images;
        try {
            images = CubDataset.countTrainingImages(dataset.resolve(CubLayout.ROOT), resolved.split());
        } catch (DataLayoutException e) {
            // the message names the file relative to the data root, not where the data root is
            throw new InvalidFieldException("dataset", "dataset " + ConfinedPaths.shown(resolved.dataset())
                    + " is not a CUB-layout data set: " + e.getMessage().replace(dataset.toString(),
                    resolved.dataset()));
        }
        int batch = resolved.training().batchSize();
        if (batch > images) {
            throw new IllegalArgumentException("overrides.batchSize " + batch + " is larger than the data set "
                    + ConfinedPaths.shown(resolved.dataset()) + " (" + images + " training images in split "
                    + resolved.split().name().toLowerCase().replace('_', '-') + ")");
        }
        // a run on a Stage-I checkpoint conditions on the text encoder that checkpoint carries: naming one is
        // optional there
        boolean namesTextEncoder = !blank(spec.textEncoderCheckpoint());
        Reference textEncoder = resolved.kind() == RunKind.TEXT_ENCODER || !namesTextEncoder ? null
                : reference("textEncoderCheckpoint", spec.textEncoderCheckpoint(), RunKind.TEXT_ENCODER);
        boolean onStage1 = resolved.kind() == RunKind.STAGE2
                || resolved.kind() == RunKind.STAGE1 && !blank(spec.stage1Checkpoint());
        Reference stage1 = onStage1 ? reference("stage1Checkpoint", spec.stage1Checkpoint(), RunKind.STAGE1) : null;
        RunSpec stored = new RunSpec(resolved.name(), resolved.kind().id(), resolved.preset().id(),
                resolved.dataset(), spec.split(), spec.epochs(), spec.seed(), spec.snapshotEveryEpochs(),
                spec.snapshotEveryMinutes(), textEncoder == null ? null : textEncoder.path(),
                stage1 == null ? null : stage1.path(), spec.overrides(), spec.maxDivergenceRetries(),
                spec.collapseThreshold(), spec.evaluationSamples(), spec.maxMinutes());
        Reference parent = stage1 != null ? stage1 : textEncoder;
        return new Submission(stored, stored.resolve(), toJson(stored), parent == null ? null : parent.checkpointId(),
                images, (long) resolved.epochs() * (images / batch));
    }

    /** The data set's directory: relative, without "..", inside the data root also after following links. */
    public Path datasetDirectory(String dataset) {
        return paths.dataset(dataset).filter(Files::isDirectory).orElseThrow(() -> new InvalidFieldException(
                "dataset", "dataset " + ConfinedPaths.shown(dataset) + " does not exist under the data root"));
    }

    /** A spec from its JSON (a spec file, or as stored); unknown fields and wrong types are refused, named. */
    static RunSpec parse(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("the run spec is empty: it is a JSON object");
        }
        try {
            return SPEC_JSON.readValue(json, RunSpec.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown field '" + fieldPath(e) + "' in the spec; known fields: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", ")));
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException("field '" + fieldPath(e) + "' of the spec has the wrong type: "
                    + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the run spec is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static String toJson(RunSpec spec) {
        try {
            return SPEC_JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String fieldPath(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /**
     * A checkpoint id on record; the checkpoint must lie in the runs directory and come from a run of {@code kind}.
     * The stored reference is the recorded path, by which {@link Protos#run} finds the id again.
     */
    private Reference reference(String field, String value, RunKind kind) {
        if (!value.trim().matches("\\d{1,18}")) {
            throw new InvalidFieldException(field, field + " " + ConfinedPaths.shown(value)
                    + " is not a checkpoint id");
        }
        long id = Long.parseLong(value.trim());
        CheckpointRow row = checkpoints.findById(id).orElseThrow(() -> new InvalidFieldException(field,
                field + " " + id + " is not a checkpoint id on record"));
        Checkpoint checkpoint = readParent(field, row.id(), paths.checkpoint(field, row));
        if (!kind.id().equals(checkpoint.state().kind())) {
            throw new InvalidFieldException(field, field + " must be a checkpoint of a " + kind.id() + " run, "
                    + id + " is one of a " + checkpoint.state().kind() + " run");
        }
        return new Reference(row.path(), id);
    }

    /**
     * The parent checkpoints a stored spec names (as recorded paths), checked again before training: they must
     * still lie inside the runs directory.
     */
    public void checkParents(RunSpec.Resolved spec) {
        confinedParent("textEncoderCheckpoint", spec.textEncoderCheckpoint());
        confinedParent("stage1Checkpoint", spec.stage1Checkpoint());
    }

    private void confinedParent(String field, String recordedPath) {
        if (recordedPath != null) {
            CheckpointRow row = checkpoints.findByPath(recordedPath).orElseThrow(() -> new InvalidFieldException(
                    field, field + " is no longer a checkpoint on record"));
            readParent(field, row.id(), paths.checkpoint(field, row));
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static Checkpoint readParent(String field, long id, Path directory) {
        try {
            return Checkpoint.read(directory);
        } catch (IOException e) {
            LOG.warn("{} {}: cannot read the checkpoint at {}", field, id, directory, e);
            throw new InvalidFieldException(field, field + " " + id + " is not a readable checkpoint");
        }
    }
}
