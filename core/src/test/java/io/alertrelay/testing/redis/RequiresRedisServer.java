package io.alertrelay.testing.redis;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that starts real {@code redis-server} processes. It is disabled, with the reason, when
 * the binary is missing; on CI ({@code CI=true}) it stays enabled so the missing binary fails loudly. See
 * {@link RedisBinaries}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RedisServerCondition.class)
public @interface RequiresRedisServer {}
