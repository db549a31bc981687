package io.alertrelay.sink.email;

import io.alertrelay.spi.SinkFactory;
import io.alertrelay.testing.SinkContractTest;
import java.util.List;
import java.util.Map;

final class EmailSinkContractTest extends SinkContractTest {
    private static final String PASSWORD = "smtpSECRETpassword42";

    @Override
    protected String sinkType() {
        return "email";
    }

    @Override
    protected Class<? extends SinkFactory> factoryClass() {
        return EmailSinkFactory.class;
    }

    @Override
    protected Map<String, Object> minimalConfig() {
        return TestConfigs.minimal();
    }

    @Override
    protected Map<String, Object> configFor(Target target) {
        return TestConfigs.local(target.port(), "host", target.host(), "timeout", target.timeoutText(),
                "username", "relay", "password", PASSWORD);
    }

    @Override
    protected List<String> secrets() {
        return List.of(PASSWORD);
    }
}
