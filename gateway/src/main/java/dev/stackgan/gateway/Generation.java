package dev.stackgan.gateway;

import com.google.protobuf.ByteString;
import java.util.List;

/** Images of one request (Stage-I previews or final images), the version that made them and how long it took. */
public record Generation(List<Image> images, String modelVersion, Timings timings, List<String> unknownWords,
                         int truncatedWords) {

    /** One PNG file; a ByteString, so that a gRPC answer passes on the bytes Stage-II sent without a copy. */
    public record Image(ByteString png, long seed, int width, int height, int stage) {
    }

    /** Wall-clock milliseconds per stage for the whole batch; 0 for a stage that did not run. */
    public record Timings(long textEncoderMs, long stage1Ms, long stage2Ms, long totalMs) {
    }
}
