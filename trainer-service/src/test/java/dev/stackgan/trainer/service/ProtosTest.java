package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.ProtocolMessageEnum;
import dev.stackgan.datasets.Split;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.proto.v1.Augmentation;
import dev.stackgan.proto.v1.DatasetSplit;
import dev.stackgan.proto.v1.Loss;
import dev.stackgan.proto.v1.Optimizer;
import dev.stackgan.proto.v1.Preset;
import dev.stackgan.proto.v1.RunEventType;
import dev.stackgan.proto.v1.RunKind;
import dev.stackgan.trainer.cli.TrainerCommand;
import dev.stackgan.trainer.run.RunSpec;
import dev.stackgan.trainer.run.StageRun;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The run spec and the enums between the trainer and stackgan.v1. These tests fail when a field or a constant is
 * added on one side only (a new override, loss or event type): add it to trainer.proto and to {@link Protos}.
 */
class ProtosTest {

    /** Spec fields whose message field has another name: parent checkpoints travel as ids. */
    private static final Map<String, String> RENAMED = Map.of("textEncoderCheckpoint", "textEncoderCheckpointId",
            "stage1Checkpoint", "stage1CheckpointId");

    @Test
    void everySpecFieldHasAMessageFieldAndNoMore() {
        assertSameFields(RunSpec.class, dev.stackgan.proto.v1.RunSpec.getDescriptor());
        assertSameFields(RunSpec.Overrides.class, dev.stackgan.proto.v1.RunSpec.Overrides.getDescriptor());
    }

    private static void assertSameFields(Class<? extends Record> record, Descriptor message) {
        Set<String> components = new HashSet<>();
        for (RecordComponent c : record.getRecordComponents()) {
            components.add(RENAMED.getOrDefault(c.getName(), c.getName()));
        }
        Set<String> fields = new HashSet<>();
        for (FieldDescriptor f : message.getFields()) {
            fields.add(f.getJsonName());
        }
        assertEquals(components, fields, record.getName() + " against " + message.getFullName());
    }

    @Test
    void aSpecWithEveryFieldSetSurvivesTheMessageBothWays() throws Exception {
        RunSpec spec = everyFieldSet(RunSpec.class);
        dev.stackgan.proto.v1.RunSpec message = Protos.spec(spec, directory -> fail("ids need no lookup"));
        assertEquals(spec, Protos.spec(message));
        assertEquals(spec, Protos.spec(dev.stackgan.proto.v1.RunSpec.parseFrom(message.toByteArray())));
        assertEquals(RunKind.RUN_KIND_STAGE2, message.getKind());
        assertEquals(DatasetSplit.DATASET_SPLIT_CUB_IMAGE, message.getSplit());
        assertEquals(Loss.LOSS_WASSERSTEIN, message.getOverrides().getLoss());
        assertEquals(Optimizer.OPTIMIZER_RMSPROP, message.getOverrides().getOptimizer());
        assertEquals(12, message.getStage1CheckpointId());
        assertEquals(List.of(Augmentation.AUGMENTATION_TRANSLATION, Augmentation.AUGMENTATION_CUTOUT),
                message.getOverrides().getAugment().getAugmentationsList());
    }

    @Test
    void unsetFieldsStayUnsetAndStoredDirectoriesBecomeTheirRecordedIds() {
        RunSpec stored = new RunSpec(null, "stage1", "tiny", "birds", null, null, null, null, null,
                "/runs/run-1/checkpoints/epoch-1", null, null, null, null, null, null);
        dev.stackgan.proto.v1.RunSpec message = Protos.spec(stored,
                directory -> directory.equals("/runs/run-1/checkpoints/epoch-1") ? 7L : null);
        assertEquals(7, message.getTextEncoderCheckpointId());
        assertFalse(message.hasEpochs() || message.hasSeed() || message.hasOverrides());
        assertEquals(DatasetSplit.DATASET_SPLIT_UNSPECIFIED, message.getSplit(), "unset: the default split");
        assertEquals(new RunSpec(null, "stage1", "tiny", "birds", null, null, null, null, null, "7", null, null,
                null, null, null, null), Protos.spec(message));
        assertEquals(0, Protos.spec(stored, directory -> null).getTextEncoderCheckpointId(),
                "a directory no longer on record");
        dev.stackgan.proto.v1.RunSpec noAugmentation = Protos.specFromJson(TrainerServiceTest.spec("stage1", 1,
                "\"overrides\":{\"augment\":\"\"}"));
        assertTrue(noAugmentation.getOverrides().hasAugment(), "an empty list (none) is not unset (the preset's)");
        assertEquals("", Protos.spec(noAugmentation).overrides().augment());
        assertNull(Protos.spec(typed("stage1")).overrides(), "no overrides: the preset's");
    }

    private static dev.stackgan.proto.v1.RunSpec typed(String kind) {
        return Protos.specFromJson(TrainerServiceTest.spec(kind, 1, ""));
    }

    @Test
    void everyRecipeOfTheRepositoryConvertsAndKeepsEveryField() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("recipes"))) {
            List<Path> specs = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertFalse(specs.isEmpty());
            for (Path file : specs) {
                String json = Files.readString(file);
                dev.stackgan.proto.v1.RunSpec message = TrainerCommand.specFile(file);
                assertEquals(RunSubmissions.parse(json), Protos.spec(message), file.toString());
                assertTrue(message.getKind() != RunKind.RUN_KIND_UNSPECIFIED, file.toString());
            }
        }
    }

    @Test
    void specFilesAreRefusedNamingTheFieldBeforeAnythingIsSent() {
        Map<String, String> refused = Map.of(
                TrainerServiceTest.spec("text-encoder", 1, "").replace("tiny", "huge"), "preset must be one of",
                TrainerServiceTest.spec("text-encoder", 1, "\"lrMultiplyer\":2"), "unknown field 'lrMultiplyer'",
                TrainerServiceTest.spec("stage1", 1, "\"textEncoderCheckpoint\":\"/nowhere\""),
                "textEncoderCheckpoint '/nowhere' is not a checkpoint id",
                TrainerServiceTest.spec("text-encoder", 1, "\"overrides\":{\"loss\":\"least-squares\"}"),
                "loss must be one of [bce, hinge, wasserstein]",
                TrainerServiceTest.spec("text-encoder", 1, "\"overrides\":{\"optimizer\":\"sgd\"}"),
                "optimizer must be one of",
                TrainerServiceTest.spec("text-encoder", 1, "").replace("cub-image", "by-colour"),
                "split must be one of",
                TrainerServiceTest.spec("text-encoder", 1, "\"overrides\":{\"augment\":\"color,blur\"}"),
                "augment must be one of [color, translation, cutout], got 'blur'",
                TrainerServiceTest.spec("text-encoder", 1, "").replace("\"epochs\":1", "\"epochs\":\"two\""),
                "field 'epochs' of the spec has the wrong type");
        refused.forEach((json, message) -> {
            String error = assertThrows(IllegalArgumentException.class, () -> Protos.specFromJson(json), json)
                    .getMessage();
            assertTrue(error.contains(message), "'" + error + "' says " + message);
        });
    }

    @Test
    void everyDomainConstantHasAContractConstantAndBack() {
        assertMapsBothWays(dev.stackgan.trainer.run.RunKind.values(), RunKind.class, "kind",
                dev.stackgan.trainer.run.RunKind::id);
        assertMapsBothWays(dev.stackgan.networks.config.Preset.values(), Preset.class, "preset",
                dev.stackgan.networks.config.Preset::id);
        assertMapsBothWays(Split.values(), DatasetSplit.class, "split",
                dev.stackgan.console.Choices::lowerCaseName);
        assertMapsBothWays(TrainingConfig.Loss.values(), Loss.class, "loss",
                dev.stackgan.console.Choices::lowerCaseName);
        assertMapsBothWays(TrainingConfig.OptimizerKind.values(), Optimizer.class, "optimizer",
                dev.stackgan.console.Choices::lowerCaseName);
        assertMapsBothWays(TrainingConfig.Augmentation.values(), Augmentation.class, "augment",
                dev.stackgan.console.Choices::lowerCaseName);
        for (RunStatus status : RunStatus.values()) {
            assertEquals(status, RunStatus.of(status.toProto()));
        }
        assertEquals(RunStatus.values().length, dev.stackgan.proto.v1.RunStatus.values().length - 2,
                "every contract status but UNSPECIFIED and UNRECOGNIZED is a trainer status");
        for (StageRun.EventType type : StageRun.EventType.values()) {
            assertEquals(type.name(), Protos.shortName(Protos.eventType(type)));
        }
        assertEquals("RUN_EVENT_TYPE_METRICS_MISSING", RunEventType.RUN_EVENT_TYPE_METRICS_MISSING.name(),
                "the events the scheduler records itself exist in the contract");
        assertThrows(IllegalArgumentException.class,
                () -> RunStatus.of(dev.stackgan.proto.v1.RunStatus.RUN_STATUS_UNSPECIFIED));
    }

    private static <J extends Enum<J>, P extends Enum<P> & ProtocolMessageEnum> void assertMapsBothWays(
            J[] domain, Class<P> contract, String field, java.util.function.Function<J, String> word) {
        for (J value : domain) {
            P mapped = Protos.toProto(contract, value);
            assertEquals(word.apply(value), Protos.word(field, mapped), value + " -> " + mapped);
        }
        long specified = Arrays.stream(contract.getEnumConstants())
                .filter(c -> !c.name().equals("UNRECOGNIZED") && c.getNumber() != 0).count();
        assertEquals(domain.length, specified, contract.getSimpleName() + " has constants the trainer lacks");
        assertNull(Protos.word(field, contract.getEnumConstants()[0]), "unspecified is no word");
    }

    @Test
    void evaluationsKeepTheirFiniteFiguresAndTimestampsTheirNanoseconds() {
        String stored = Protos.json(new java.util.LinkedHashMap<>(Map.of("diversity", 0.5,
                "frechet_distance", Double.NaN)));
        assertEquals(Map.of("diversity", 0.5), Protos.figures(stored));
        assertEquals(Map.of(), Protos.figures("{}"));
        Instant instant = Instant.parse("2026-11-30T08:01:02.123456Z");
        var timestamp = Protos.timestamp(instant);
        assertEquals(instant, Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()));
        assertNull(Protos.timestamp(null));
    }

    /** A spec whose every field holds a valid value that differs from the unset default. */
    private static <T extends Record> T everyFieldSet(Class<T> type) throws ReflectiveOperationException {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            values[i] = sample(components[i]);
        }
        return type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType)
                .toArray(Class<?>[]::new)).newInstance(values);
    }

    private static Object sample(RecordComponent component) throws ReflectiveOperationException {
        Class<?> type = component.getType();
        if (type == Integer.class) {
            return 7;
        }
        if (type == Long.class) {
            return 1L << 40;
        }
        if (type == Float.class) {
            return 0.25f;
        }
        if (type == Double.class) {
            return 0.125;
        }
        if (type == Boolean.class) {
            return true;
        }
        if (type == RunSpec.Overrides.class) {
            return everyFieldSet(RunSpec.Overrides.class);
        }
        String value = switch (component.getName()) {
            case "name" -> "every field";
            case "kind" -> "stage2";
            case "preset" -> "small";
            case "dataset" -> "birds";
            case "split" -> "cub-image";
            case "textEncoderCheckpoint" -> "11";
            case "stage1Checkpoint" -> "12";
            case "loss" -> "wasserstein";
            case "optimizer" -> "rmsprop";
            case "augment" -> "translation,cutout";
            default -> null;
        };
        if (type != String.class || value == null) {
            fail("no sample value for " + component + ": a new spec field? add it to stackgan.v1.RunSpec, to Protos"
                    + " and here");
        }
        return value;
    }
}
