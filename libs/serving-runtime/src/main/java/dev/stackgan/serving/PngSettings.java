package dev.stackgan.serving;

import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.proto.v1.PngDeflateStrategy;
import dev.stackgan.proto.v1.PngOptions;
import dev.stackgan.proto.v1.PngRowFilter;

/**
 * PNG compression settings between their wire form ({@link PngOptions}, which a caller of Stage-II sends) and the
 * {@link PngEncoder} that applies them. The proto's enum values are the encoder's names behind a prefix.
 */
public final class PngSettings {

    private static final String FILTER_PREFIX = "PNG_ROW_FILTER_";
    private static final String STRATEGY_PREFIX = "PNG_DEFLATE_STRATEGY_";

    private PngSettings() {
    }

    public static PngOptions toProto(PngEncoder encoder) {
        return PngOptions.newBuilder()
                .setCompressionLevel(encoder.compressionLevel())
                .setRowFilter(PngRowFilter.valueOf(FILTER_PREFIX + encoder.filter().name()))
                .setDeflateStrategy(PngDeflateStrategy.valueOf(STRATEGY_PREFIX + encoder.strategy().name()))
                .build();
    }

    /**
     * The encoder {@code options} (the request field {@code field}) asks for; unset enums mean no filter and zlib's
     * default strategy. INVALID_ARGUMENT, naming the field and the limit, for a level above 9 or an unknown value.
     */
    public static PngEncoder fromProto(String field, PngOptions options) {
        // uint32: levels of 2^31 and more arrive negative
        if (Integer.compareUnsigned(options.getCompressionLevel(), 9) > 0) {
            throw Errors.invalidArgument(field + ".compression_level is "
                    + Integer.toUnsignedString(options.getCompressionLevel()) + ", must be 0 (stored) to 9");
        }
        if (options.getRowFilter() == PngRowFilter.UNRECOGNIZED) {
            throw Errors.invalidArgument(field + ".row_filter is " + options.getRowFilterValue()
                    + ", must be unset or PNG_ROW_FILTER_NONE (1), _SUB (2) or _UP (3)");
        }
        if (options.getDeflateStrategy() == PngDeflateStrategy.UNRECOGNIZED) {
            throw Errors.invalidArgument(field + ".deflate_strategy is " + options.getDeflateStrategyValue()
                    + ", must be unset or PNG_DEFLATE_STRATEGY_DEFAULT (1), _FILTERED (2) or _HUFFMAN_ONLY (3)");
        }
        PngEncoder.Filter filter = options.getRowFilter() == PngRowFilter.PNG_ROW_FILTER_UNSPECIFIED
                ? PngEncoder.Filter.NONE
                : PngEncoder.Filter.valueOf(options.getRowFilter().name().substring(FILTER_PREFIX.length()));
        PngEncoder.Strategy strategy =
                options.getDeflateStrategy() == PngDeflateStrategy.PNG_DEFLATE_STRATEGY_UNSPECIFIED
                ? PngEncoder.Strategy.DEFAULT
                : PngEncoder.Strategy.valueOf(options.getDeflateStrategy().name().substring(STRATEGY_PREFIX.length()));
        return new PngEncoder(options.getCompressionLevel(), filter, strategy);
    }
}
