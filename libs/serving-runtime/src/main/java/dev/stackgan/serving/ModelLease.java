package dev.stackgan.serving;

/** A request's hold on one bundle version; closing it lets a retired version shut down. Close exactly once. */
public final class ModelLease implements AutoCloseable {

    private final LoadedModel model;

    ModelLease(LoadedModel model) {
        this.model = model;
    }

    public LoadedModel model() {
        return model;
    }

    @Override
    public void close() {
        model.release();
    }
}
