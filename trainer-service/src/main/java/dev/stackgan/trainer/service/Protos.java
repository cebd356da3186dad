package dev.stackgan.trainer.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ProtocolMessageEnum;
import com.google.protobuf.Timestamp;
import dev.stackgan.datasets.Split;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.proto.v1.Augmentation;
import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.DatasetSplit;
import dev.stackgan.proto.v1.Loss;
import dev.stackgan.proto.v1.Optimizer;
import dev.stackgan.proto.v1.Preset;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunEvent;
import dev.stackgan.proto.v1.RunEventType;
import dev.stackgan.proto.v1.RunKind;
import dev.stackgan.trainer.run.RunSpec;
import dev.stackgan.trainer.run.StageRun;
import dev.stackgan.trainer.service.store.BundleRow;
import dev.stackgan.trainer.service.store.CheckpointRow;
import dev.stackgan.trainer.service.store.EventRow;
import dev.stackgan.trainer.service.store.RunRow;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Between the trainer's records and the stackgan.v1 messages: rows to messages, and run specs both ways. A spec
 * travels typed (stackgan.v1.RunSpec) and is stored as the JSON of {@link RunSpec}, the format of the spec files;
 * enum constants map by name (RunKind.RUN_KIND_TEXT_ENCODER is the word {@code text-encoder}).
 */
public final class Protos {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Protos() {
    }

    /**
     * @param checkpointIds the recorded id of a checkpoint directory named in the stored spec, or null when it is
     *                      not on record
     */
    static Run run(RunRow row, Function<String, Long> checkpointIds) {
        Run.Builder run = Run.newBuilder().setId(row.id()).setName(row.name())
                .setKind(toProto(RunKind.class, dev.stackgan.trainer.run.RunKind.parse(row.kind())))
                .setStatus(RunStatus.valueOf(row.status()).toProto())
                .setSpec(spec(RunSubmissions.parse(row.spec()), checkpointIds))
                .setDataset(row.dataset()).setProgress(row.progress()).setStep(row.step())
                .setTotalSteps(row.totalSteps());
        set(timestamp(row.createdAt()), run::setCreateTime);
        set(timestamp(row.startedAt()), run::setStartTime);
        set(timestamp(row.finishedAt()), run::setFinishTime);
        set(row.parentCheckpointId(), run::setParentCheckpointId);
        set(row.error(), run::setError);
        set(row.workerId(), run::setWorker);
        return run.build();
    }

    static Checkpoint checkpoint(CheckpointRow row) {
        return Checkpoint.newBuilder().setId(row.id()).setRunId(row.runId()).setEpoch(row.epoch())
                .setStep(row.step()).setSha256(row.sha256()).setSizeBytes(row.sizeBytes())
                .putAllEvaluation(figures(row.evaluation())).setCreateTime(timestamp(row.createdAt())).build();
    }

    static Bundle bundle(BundleRow row, List<Long> checkpointIds) {
        Bundle.Builder bundle = Bundle.newBuilder().setBundleId(row.bundleId()).addAllCheckpointIds(checkpointIds)
                .setSha256(row.sha256()).setCreateTime(timestamp(row.createdAt()));
        set(timestamp(row.promotedAt()), bundle::setPromoteTime);
        return bundle.build();
    }

    /** A recorded event; its type is a RunEventType constant after the prefix (INTERRUPTED, METRICS_MISSING too). */
    static RunEvent event(EventRow row) {
        return RunEvent.newBuilder().setType(RunEventType.valueOf(prefix(RunEventType.RUN_EVENT_TYPE_UNSPECIFIED)
                + row.type())).setStep(row.step()).setMessage(row.message())
                .setCreateTime(timestamp(row.createdAt())).build();
    }

    static RunEventType eventType(StageRun.EventType type) {
        return toProto(RunEventType.class, type);
    }

    /** Evaluation figures as a JSON object; a figure that is not finite is stored as null (JSON has no NaN). */
    public static String json(Map<String, Double> figures) {
        Map<String, Double> finite = new LinkedHashMap<>();
        figures.forEach((k, v) -> finite.put(k, v != null && Double.isFinite(v) ? v : null));
        try {
            return JSON.writeValueAsString(finite);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The figures of a stored evaluation; those stored as null (not finite) are left out. */
    static Map<String, Double> figures(String json) {
        Map<String, Double> stored;
        try {
            stored = JSON.readValue(json, new TypeReference<Map<String, Double>>() { });
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        stored.forEach((k, v) -> {
            if (v != null) {
                figures.put(k, v);
            }
        });
        return figures;
    }

    static Timestamp timestamp(Instant instant) {
        return instant == null ? null
                : Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /**
     * A spec file's JSON as the message the API takes. Unknown fields, wrong types and unknown words (kind, preset,
     * split, loss, optimizer) are refused here, naming the field; checkpoint references must be checkpoint ids.
     */
    public static dev.stackgan.proto.v1.RunSpec specFromJson(String json) {
        return spec(RunSubmissions.parse(json), reference -> {
            throw new IllegalArgumentException(ConfinedPaths.shown(reference) + " is not a checkpoint id; name"
                    + " checkpoints by their id from ListCheckpoints");
        });
    }

    /**
     * A spec as the API's message. Checkpoint references that are ids (digits) are taken as they are; any other
     * reference (a checkpoint directory, as stored specs hold them) goes through {@code checkpointIds}, whose null
     * leaves the id unset.
     */
    static dev.stackgan.proto.v1.RunSpec spec(RunSpec spec, Function<String, Long> checkpointIds) {
        dev.stackgan.proto.v1.RunSpec.Builder p = dev.stackgan.proto.v1.RunSpec.newBuilder();
        set(spec.name(), p::setName);
        set(spec.kind(), kind -> p.setKind(toProto(RunKind.class, dev.stackgan.trainer.run.RunKind.parse(kind))));
        set(spec.preset(), preset -> p.setPreset(toProto(Preset.class,
                dev.stackgan.networks.config.Preset.parse(preset))));
        set(spec.dataset(), p::setDataset);
        set(spec.split(), split -> p.setSplit(toProto(DatasetSplit.class, Split.parse(split))));
        set(spec.epochs(), p::setEpochs);
        set(spec.seed(), p::setSeed);
        set(spec.snapshotEveryEpochs(), p::setSnapshotEveryEpochs);
        set(spec.snapshotEveryMinutes(), p::setSnapshotEveryMinutes);
        set(checkpointId("textEncoderCheckpoint", spec.textEncoderCheckpoint(), checkpointIds),
                p::setTextEncoderCheckpointId);
        set(checkpointId("stage1Checkpoint", spec.stage1Checkpoint(), checkpointIds), p::setStage1CheckpointId);
        set(spec.overrides(), o -> p.setOverrides(overrides(o)));
        set(spec.maxDivergenceRetries(), p::setMaxDivergenceRetries);
        set(spec.collapseThreshold(), p::setCollapseThreshold);
        set(spec.evaluationSamples(), p::setEvaluationSamples);
        set(spec.maxMinutes(), p::setMaxMinutes);
        return p.build();
    }

    private static dev.stackgan.proto.v1.RunSpec.Overrides overrides(RunSpec.Overrides o) {
        dev.stackgan.proto.v1.RunSpec.Overrides.Builder p = dev.stackgan.proto.v1.RunSpec.Overrides.newBuilder();
        set(o.batchSize(), p::setBatchSize);
        set(o.generatorLr(), p::setGeneratorLr);
        set(o.discriminatorLr(), p::setDiscriminatorLr);
        set(o.lrMultiplier(), p::setLrMultiplier);
        set(o.lrDecayEpochs(), p::setLrDecayEpochs);
        set(o.klCoefficient(), p::setKlCoefficient);
        set(o.loss(), loss -> p.setLoss(toProto(Loss.class, TrainingConfig.Loss.parse(loss))));
        set(o.optimizer(), optimizer -> p.setOptimizer(toProto(Optimizer.class,
                TrainingConfig.OptimizerKind.parse(optimizer))));
        set(o.wassersteinClip(), p::setWassersteinClip);
        set(o.textEncoderLr(), p::setTextEncoderLr);
        set(o.generatorBatchNorm(), p::setGeneratorBatchNorm);
        set(o.discriminatorBatchNorm(), p::setDiscriminatorBatchNorm);
        set(o.discriminatorDropout(), p::setDiscriminatorDropout);
        set(o.matchingCoefficient(), p::setMatchingCoefficient);
        set(o.stage2Residual(), p::setStage2Residual);
        set(o.generatorEma(), p::setGeneratorEma);
        set(o.augment(), augment -> p.setAugment(augmentations(augment)));
        set(o.discriminatorSpectralNorm(), p::setDiscriminatorSpectralNorm);
        set(o.stage2GeneratorDim(), p::setStage2GeneratorDim);
        set(o.stage2DiscriminatorDim(), p::setStage2DiscriminatorDim);
        set(o.stage1Consistency(), p::setStage1Consistency);
        return p.build();
    }

    /** "color,cutout" as the list [COLOR, CUTOUT], in the order written; blank is the empty list (none). */
    private static dev.stackgan.proto.v1.RunSpec.Overrides.AugmentationList augmentations(String list) {
        TrainingConfig.Augmentation.parseList(list); // refuses an unknown name, naming the field
        dev.stackgan.proto.v1.RunSpec.Overrides.AugmentationList.Builder p =
                dev.stackgan.proto.v1.RunSpec.Overrides.AugmentationList.newBuilder();
        if (!list.isBlank()) {
            for (String name : list.split(",")) {
                p.addAugmentations(toProto(Augmentation.class,
                        TrainingConfig.Augmentation.parseList(name).iterator().next()));
            }
        }
        return p.build();
    }

    private static String augmentations(dev.stackgan.proto.v1.RunSpec.Overrides.AugmentationList list) {
        List<String> words = new ArrayList<>();
        for (Augmentation augmentation : list.getAugmentationsList()) {
            String word = word("overrides.augment", augmentation);
            if (word == null) {
                throw new IllegalArgumentException("overrides.augment holds " + augmentation + "; use "
                        + List.of(Augmentation.values()).subList(1, Augmentation.values().length - 1));
            }
            words.add(word);
        }
        return String.join(",", words);
    }

    /**
     * The API's spec as the trainer's: unset fields stay null (the preset's value or the default), checkpoint ids
     * become their decimal text, enum constants their words. A constant this trainer does not know is refused.
     */
    static RunSpec spec(dev.stackgan.proto.v1.RunSpec p) {
        return new RunSpec(p.getName().isEmpty() ? null : p.getName(), word("kind", p.getKind()),
                word("preset", p.getPreset()), p.getDataset().isEmpty() ? null : p.getDataset(),
                word("split", p.getSplit()), p.hasEpochs() ? p.getEpochs() : null, p.hasSeed() ? p.getSeed() : null,
                p.hasSnapshotEveryEpochs() ? p.getSnapshotEveryEpochs() : null,
                p.hasSnapshotEveryMinutes() ? p.getSnapshotEveryMinutes() : null,
                p.getTextEncoderCheckpointId() == 0 ? null : Long.toString(p.getTextEncoderCheckpointId()),
                p.getStage1CheckpointId() == 0 ? null : Long.toString(p.getStage1CheckpointId()),
                p.hasOverrides() ? overrides(p.getOverrides()) : null,
                p.hasMaxDivergenceRetries() ? p.getMaxDivergenceRetries() : null,
                p.hasCollapseThreshold() ? p.getCollapseThreshold() : null,
                p.hasEvaluationSamples() ? p.getEvaluationSamples() : null,
                p.hasMaxMinutes() ? p.getMaxMinutes() : null);
    }

    private static RunSpec.Overrides overrides(dev.stackgan.proto.v1.RunSpec.Overrides o) {
        return new RunSpec.Overrides(o.hasBatchSize() ? o.getBatchSize() : null,
                o.hasGeneratorLr() ? o.getGeneratorLr() : null, o.hasDiscriminatorLr() ? o.getDiscriminatorLr() : null,
                o.hasLrMultiplier() ? o.getLrMultiplier() : null, o.hasLrDecayEpochs() ? o.getLrDecayEpochs() : null,
                o.hasKlCoefficient() ? o.getKlCoefficient() : null, word("overrides.loss", o.getLoss()),
                word("overrides.optimizer", o.getOptimizer()),
                o.hasWassersteinClip() ? o.getWassersteinClip() : null,
                o.hasTextEncoderLr() ? o.getTextEncoderLr() : null,
                o.hasGeneratorBatchNorm() ? o.getGeneratorBatchNorm() : null,
                o.hasDiscriminatorBatchNorm() ? o.getDiscriminatorBatchNorm() : null,
                o.hasDiscriminatorDropout() ? o.getDiscriminatorDropout() : null,
                o.hasMatchingCoefficient() ? o.getMatchingCoefficient() : null,
                o.hasStage2Residual() ? o.getStage2Residual() : null,
                o.hasGeneratorEma() ? o.getGeneratorEma() : null,
                o.hasAugment() ? augmentations(o.getAugment()) : null,
                o.hasDiscriminatorSpectralNorm() ? o.getDiscriminatorSpectralNorm() : null,
                o.hasStage2GeneratorDim() ? o.getStage2GeneratorDim() : null,
                o.hasStage2DiscriminatorDim() ? o.getStage2DiscriminatorDim() : null,
                o.hasStage1Consistency() ? o.getStage1Consistency() : null);
    }

    private static Long checkpointId(String field, String reference, Function<String, Long> checkpointIds) {
        if (reference == null || reference.isBlank()) {
            return null;
        }
        if (reference.trim().matches("\\d{1,18}")) {
            return Long.parseLong(reference.trim());
        }
        try {
            return checkpointIds.apply(reference);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " " + e.getMessage());
        }
    }

    /** The contract's constant of the same name as a domain constant, after its enum's prefix. */
    public static <P extends Enum<P> & ProtocolMessageEnum> P toProto(Class<P> type, Enum<?> value) {
        for (P candidate : type.getEnumConstants()) {
            if (candidate.name().equals(prefix(candidate) + value.name())) {
                return candidate;
            }
        }
        throw new IllegalArgumentException(type.getSimpleName() + " has no constant for " + value.name());
    }

    /** A constant's name without its enum's prefix: RUN_STATUS_QUEUED is {@code QUEUED}. */
    public static String shortName(ProtocolMessageEnum value) {
        String name = ((Enum<?>) value).name();
        String prefix = prefix(value);
        return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    }

    /**
     * The word spec files use for a constant (RunKind.RUN_KIND_TEXT_ENCODER is {@code text-encoder}); null for the
     * unspecified constant. A number this trainer's contract does not know is refused, naming {@code field}.
     */
    public static String word(String field, ProtocolMessageEnum value) {
        if (((Enum<?>) value).name().equals("UNRECOGNIZED")) {
            throw new IllegalArgumentException(field + " is a " + value.getDescriptorForType().getName()
                    + " value this trainer does not know; known: " + value.getDescriptorForType().getValues()
                    .stream().map(v -> v.getName()).toList());
        }
        return value.getNumber() == 0 ? null : shortName(value).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The prefix of an enum's constants, from its name: RunEventType's is {@code RUN_EVENT_TYPE_}. */
    private static String prefix(ProtocolMessageEnum value) {
        return value.getDescriptorForType().getName().replaceAll("(?<=[a-z0-9])(?=[A-Z])", "_")
                .toUpperCase(Locale.ROOT) + "_";
    }

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
