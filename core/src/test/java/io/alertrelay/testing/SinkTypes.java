package io.alertrelay.testing;

import io.alertrelay.spi.SinkFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The sink types of the class path, so that tests and docs checks never list them by hand: adding a sink module must
 * not mean editing a test elsewhere.
 */
public final class SinkTypes {
    private static final String SERVICES_FILE = "META-INF/services/" + SinkFactory.class.getName();

    private SinkTypes() {}

    /** The {@link SinkFactory#name()}s {@link ServiceLoader} finds, sorted as the relay prints them. */
    public static SortedSet<String> onClassPath() {
        SortedSet<String> names = new TreeSet<>();
        ServiceLoader.load(SinkFactory.class).forEach(factory -> names.add(factory.name()));
        return Collections.unmodifiableSortedSet(names);
    }

    /**
     * The factory classes named by every {@code META-INF/services/io.alertrelay.spi.SinkFactory} file of the class
     * path, read as text (independently of {@link ServiceLoader}); comments and blank lines skipped.
     */
    public static List<String> declaredFactoryClasses() {
        List<String> classes = new ArrayList<>();
        try {
            for (URL url : Collections.list(SinkTypes.class.getClassLoader().getResources(SERVICES_FILE))) {
                try (InputStream in = url.openStream();
                     BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        int comment = line.indexOf('#');
                        String name = (comment < 0 ? line : line.substring(0, comment)).trim();
                        if (!name.isEmpty()) {
                            classes.add(name);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(classes);
    }
}
