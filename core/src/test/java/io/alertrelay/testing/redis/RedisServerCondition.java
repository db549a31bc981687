package io.alertrelay.testing.redis;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresRedisServer}. */
public final class RedisServerCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (RedisBinaries.redisServer().isPresent()) {
            return ConditionEvaluationResult.enabled("redis-server found at " + RedisBinaries.redisServer().get());
        }
        if (RedisBinaries.required()) {
            return ConditionEvaluationResult.enabled("redis-server missing but required (CI): the test will fail");
        }
        return ConditionEvaluationResult.disabled(RedisBinaries.missingReason());
    }
}
