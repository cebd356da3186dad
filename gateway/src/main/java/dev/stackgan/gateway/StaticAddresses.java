package dev.stackgan.gateway;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Target scheme {@code static:///host:port,host:port,...}: a fixed list of replicas of one model service, for hosts
 * without a DNS name that resolves to all of them (replicas on one machine on different ports, a hand-kept list).
 * The channel's round-robin spreads calls over every entry as it does over dns:/// addresses. Host names are looked up
 * again on every refresh (after a connection fails), so a replica that moves keeps its place in the list.
 */
public final class StaticAddresses extends NameResolverProvider {

    static final String SCHEME = "static";

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
        if (!SCHEME.equals(target.getScheme())) {
            return null;
        }
        return new Resolver(target, entries(target), args.getOffloadExecutor());
    }

    /** The host:port entries of a target; IllegalArgumentException naming the target when one is malformed. */
    static List<HostAndPort> entries(URI target) {
        String path = target.getPath() == null ? "" : target.getPath();
        String list = path.startsWith("/") ? path.substring(1) : path;
        if (list.isBlank()) {
            throw new IllegalArgumentException(target + ": list the replicas as static:///host:port,host:port");
        }
        List<HostAndPort> entries = new ArrayList<>();
        for (String entry : list.split(",")) {
            int colon = entry.lastIndexOf(':');
            int port = colon < 0 ? -1 : parsePort(entry.substring(colon + 1));
            if (colon <= 0 || port < 1 || port > 65535) {
                throw new IllegalArgumentException(target + ": entry '" + entry + "' is not host:port with a port"
                        + " from 1 to 65535");
            }
            entries.add(new HostAndPort(entry.substring(0, colon), port));
        }
        return List.copyOf(entries);
    }

    private static int parsePort(String port) {
        try {
            return Integer.parseInt(port);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    record HostAndPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private static final class Resolver extends NameResolver {
        private final URI target;
        private final List<HostAndPort> entries;
        private final Executor lookups;
        private Listener2 listener;

        Resolver(URI target, List<HostAndPort> entries, Executor lookups) {
            this.target = target;
            this.entries = entries;
            // host lookups may block: off the channel's synchronization context when the channel offers a thread
            this.lookups = lookups == null ? Runnable::run : lookups;
        }

        /** The first entry, for TLS host name checks: every replica's certificate must name it. */
        @Override
        public String getServiceAuthority() {
            return entries.get(0).toString();
        }

        @Override
        public void start(Listener2 listener) {
            this.listener = listener;
            refresh();
        }

        @Override
        public void refresh() {
            lookups.execute(this::resolve);
        }

        /** Publishes the entries that resolve; a host that does not resolve drops out until a later refresh. */
        private void resolve() {
            List<EquivalentAddressGroup> groups = new ArrayList<>();
            List<String> unresolved = new ArrayList<>();
            for (HostAndPort entry : entries) {
                InetSocketAddress address = new InetSocketAddress(entry.host(), entry.port());
                if (address.isUnresolved()) {
                    unresolved.add(entry.host());
                } else {
                    groups.add(new EquivalentAddressGroup(address));
                }
            }
            if (groups.isEmpty()) {
                listener.onError(Status.UNAVAILABLE.withDescription(target + ": cannot resolve " + unresolved));
            } else {
                listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
            }
        }

        @Override
        public void shutdown() {
        }
    }
}
