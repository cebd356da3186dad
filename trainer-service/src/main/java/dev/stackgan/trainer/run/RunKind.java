package dev.stackgan.trainer.run;

import java.util.Arrays;
import java.util.Locale;

/** What a run trains. GAN stages build on earlier runs: Stage-I on a text encoder, Stage-II on a Stage-I run. */
public enum RunKind {
    TEXT_ENCODER("text-encoder"), STAGE1("stage1"), STAGE2("stage2");

    private final String id;

    RunKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static RunKind parse(String value) {
        return Arrays.stream(values()).filter(k -> k.id.equals(value == null ? "" : value.trim().toLowerCase(Locale.ROOT)))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("kind must be one of "
                        + Arrays.stream(values()).map(RunKind::id).toList() + ", got '" + value + "'"));
    }
}
