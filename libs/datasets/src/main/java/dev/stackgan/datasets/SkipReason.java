package dev.stackgan.datasets;

/** Why an image was left out of a data set; damaged items are skipped so that a long run never stops on them. */
public enum SkipReason {
    INCOMPLETE_INDEX("no bounding box, class or split line"),
    MISSING_IMAGE("missing image"),
    CORRUPT_IMAGE("corrupt image"),
    BOX_OUTSIDE_IMAGE("bounding box outside the image"),
    MISSING_CAPTIONS("missing caption file"),
    TOO_FEW_CAPTIONS("fewer than " + CubLayout.CAPTIONS_PER_IMAGE + " captions"),
    NON_UTF8_CAPTIONS("caption file not UTF-8");

    private final String description;

    SkipReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
