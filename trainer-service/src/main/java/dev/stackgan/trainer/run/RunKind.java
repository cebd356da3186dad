package dev.stackgan.trainer.run;

import dev.stackgan.console.Choices;

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
        return Choices.parse("kind", values(), RunKind::id, value);
    }
}
