package dev.stackgan.trainer.service;

import java.util.EnumSet;
import java.util.Set;

/** The states of a run as stored in {@code runs.status}; stackgan.v1.RunStatus has them with its prefix. */
public enum RunStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED;

    /** States a run never leaves by itself. */
    public static final Set<RunStatus> FINAL = EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
    /** States from which ResumeRun queues a run again. */
    public static final Set<RunStatus> RESUMABLE = EnumSet.of(INTERRUPTED, FAILED, CANCELLED);

    public boolean isFinal() {
        return FINAL.contains(this);
    }

    public dev.stackgan.proto.v1.RunStatus toProto() {
        return Protos.toProto(dev.stackgan.proto.v1.RunStatus.class, this);
    }

    /** The state a stackgan.v1.RunStatus names; IllegalArgumentException for the unspecified and unknown ones. */
    public static RunStatus of(dev.stackgan.proto.v1.RunStatus status) {
        String word = Protos.word("status", status);
        if (word == null) {
            throw new IllegalArgumentException("status must be one of "
                    + java.util.Arrays.stream(values()).map(RunStatus::toProto).toList() + ", got " + status);
        }
        return valueOf(Protos.shortName(status));
    }
}
