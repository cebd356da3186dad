package dev.stackgan.datasets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What a load kept and what it skipped: how many, which and why. */
public final class LoadSummary {

    /** One skipped image: its CUB id, its path under {@code images/}, the reason and the underlying detail. */
    public record Skipped(int imageId, String image, SkipReason reason, String detail) {
    }

    private static final int LISTED = 20;

    private final String description;
    private final int loaded;
    private final List<Skipped> skipped;

    LoadSummary(String description, int loaded, List<Skipped> skipped) {
        this.description = description;
        this.loaded = loaded;
        List<Skipped> sorted = new ArrayList<>(skipped);
        sorted.sort(Comparator.comparingInt(Skipped::imageId));
        this.skipped = List.copyOf(sorted);
    }

    public int loaded() {
        return loaded;
    }

    public List<Skipped> skipped() {
        return skipped;
    }

    public long count(SkipReason reason) {
        return skipped.stream().filter(s -> s.reason() == reason).count();
    }

    /** A report: counts per reason, then the first skipped images with their reasons. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(String.format("%s: loaded %d images, skipped %d", description, loaded,
                skipped.size()));
        Map<SkipReason, Long> counts = new EnumMap<>(SkipReason.class);
        skipped.forEach(s -> counts.merge(s.reason(), 1L, Long::sum));
        counts.forEach((reason, count) -> text.append(String.format("%n  %5d %s", count, reason.description())));
        skipped.stream().limit(LISTED).forEach(s -> text.append(String.format("%n  image %d %s: %s (%s)",
                s.imageId(), s.image(), s.reason().description(), s.detail())));
        if (skipped.size() > LISTED) {
            text.append(String.format("%n  ... and %d more", skipped.size() - LISTED));
        }
        return text.toString();
    }
}
