package dev.stackgan.trainer.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.trainer.service.store.BundleRow;
import dev.stackgan.trainer.service.store.CheckpointRow;
import dev.stackgan.trainer.service.store.RunRow;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Database rows to stackgan.v1 messages. */
final class Protos {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Protos() {
    }

    static Run run(RunRow row) {
        Run.Builder run = Run.newBuilder().setId(row.id()).setName(row.name()).setKind(row.kind())
                .setStatus(RunStatus.valueOf(row.status()).toProto()).setSpecJson(row.spec())
                .setDataset(row.dataset()).setCreatedAtMs(millis(row.createdAt()))
                .setStartedAtMs(millis(row.startedAt())).setFinishedAtMs(millis(row.finishedAt()))
                .setProgress(row.progress()).setStep(row.step()).setTotalSteps(row.totalSteps());
        if (row.parentCheckpointId() != null) {
            run.setParentCheckpointId(row.parentCheckpointId());
        }
        if (row.error() != null) {
            run.setError(row.error());
        }
        return run.build();
    }

    static Checkpoint checkpoint(CheckpointRow row) {
        return Checkpoint.newBuilder().setId(row.id()).setRunId(row.runId()).setEpoch(row.epoch())
                .setStep(row.step()).setPath(row.path()).setSha256(row.sha256()).setSizeBytes(row.sizeBytes())
                .setEvaluationJson(row.evaluation()).setCreatedAtMs(millis(row.createdAt())).build();
    }

    static Bundle bundle(BundleRow row, List<Long> checkpointIds) {
        return Bundle.newBuilder().setBundleId(row.bundleId()).addAllCheckpointIds(checkpointIds)
                .setPath(row.path()).setSha256(row.sha256()).setCreatedAtMs(millis(row.createdAt()))
                .setPromotedAtMs(millis(row.promotedAt())).build();
    }

    /** Evaluation figures as a JSON object; a figure that is not finite is stored as null (JSON has no NaN). */
    static String json(Map<String, Double> figures) {
        Map<String, Double> finite = new LinkedHashMap<>();
        figures.forEach((k, v) -> finite.put(k, v != null && Double.isFinite(v) ? v : null));
        try {
            return JSON.writeValueAsString(finite);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long millis(Instant instant) {
        return instant == null ? 0 : instant.toEpochMilli();
    }
}
