package dev.stackgan.gateway;

import java.util.List;

/** Images of one request (Stage-I previews or final images), the version that made them and how long it took. */
public record Generation(List<Image> images, String modelVersion, Timings timings, List<String> unknownWords,
                         int truncatedWords) {

    /** One PNG. */
    public record Image(byte[] png, long seed, int width, int height, int stage) {
    }

    /** Wall-clock milliseconds per stage for the whole batch; 0 for a stage that did not run. */
    public record Timings(long textEncoderMs, long stage1Ms, long stage2Ms, long totalMs) {
    }
}
