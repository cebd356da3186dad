package dev.stackgan.gateway.http;

import io.grpc.Context;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.function.Supplier;

/**
 * Ties an HTTP request's work to its client's connection: the work runs in a gRPC context that is cancelled when the
 * connection closes, so a client that goes away cancels the model service calls in flight (they inherit the context)
 * instead of leaving the stages to work for nobody until the deadline.
 */
final class ClientDisconnect {

    private ClientDisconnect() {
    }

    /** Runs {@code work} on this thread in a context cancelled when {@code http}'s connection closes. */
    static <T> T cancels(HttpRequest<?> http, Supplier<T> work) {
        ChannelFuture closed = ((NettyHttpRequest<?>) http).getChannelHandlerContext().channel().closeFuture();
        Context.CancellableContext context = Context.current().withCancellation();
        ChannelFutureListener cancel = future -> context.cancel(null);
        closed.addListener(cancel);
        Context previous = context.attach();
        try {
            return work.get();
        } finally {
            context.detach(previous);
            closed.removeListener(cancel);
            context.cancel(null);
        }
    }
}
