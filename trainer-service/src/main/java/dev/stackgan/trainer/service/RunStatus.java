package dev.stackgan.trainer.service;

import java.util.EnumSet;
import java.util.Set;

/** The states of a run as stored in {@code runs.status}; names match stackgan.v1.RunStatus. */
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
        return dev.stackgan.proto.v1.RunStatus.valueOf(name());
    }
}
