package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkFactory;
import io.alertrelay.testing.SinkTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

final class SinkFactoryLoaderTest {
    @Test
    void serviceLoaderFindsEverySinkModuleOnTheClassPath() {
        List<SinkFactory> loaded = SinkFactoryLoader.serviceLoader().load();

        // one factory per line of every services file on the class path, whichever sink modules app depends on
        assertThat(loaded).extracting(factory -> factory.getClass().getName())
                .containsExactlyInAnyOrderElementsOf(SinkTypes.declaredFactoryClasses());
        assertThat(SinkFactoryLoader.byName(loaded).keySet())
                .containsExactlyElementsOf(SinkTypes.onClassPath())
                .contains("console", "email", "slack");
    }

    @Test
    void twoFactoriesWithOneNameAreRefusedNamingBoth() {
        assertThatThrownBy(() -> SinkFactoryLoader.byName(List.of(new Named("x"), new Other("x"))))
                .hasMessageContaining("'x' is provided twice")
                .hasMessageContaining(Named.class.getName())
                .hasMessageContaining(Other.class.getName());
    }

    private record Named(String name) implements SinkFactory {
        @Override
        public Sink create(ConfigView config, SinkContext context) {
            throw new UnsupportedOperationException();
        }
    }

    private record Other(String name) implements SinkFactory {
        @Override
        public Sink create(ConfigView config, SinkContext context) {
            throw new UnsupportedOperationException();
        }
    }
}
