package dev.stackgan.gateway;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Lets one JVM run several Micronaut applications whose modules are all on the test classpath. Classes are shared
 * (one ONNX Runtime, one gRPC), but resources of the hidden modules are invisible, so each ApplicationContext finds
 * only its own bean definitions (META-INF/micronaut) and its own application.yml.
 */
final class ModuleClassLoader extends ClassLoader {

    private final List<String> hiddenLocations;

    /** @param hiddenModules a class of each module to hide; their code locations are hidden */
    ModuleClassLoader(ClassLoader parent, List<Class<?>> hiddenModules) {
        super(parent);
        this.hiddenLocations = hiddenModules.stream()
                .map(type -> type.getProtectionDomain().getCodeSource().getLocation().toString())
                .toList();
    }

    @Override
    public URL getResource(String name) {
        try {
            Enumeration<URL> all = getResources(name);
            return all.hasMoreElements() ? all.nextElement() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        List<URL> visible = Collections.list(getParent().getResources(name)).stream()
                .filter(url -> !hidden(url.toString()))
                .toList();
        return Collections.enumeration(visible);
    }

    private boolean hidden(String url) {
        return hiddenLocations.stream().anyMatch(location -> url.startsWith(location)
                || url.startsWith("jar:" + location));
    }
}
