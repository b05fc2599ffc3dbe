package io.switchboard.server.jobs;

import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.KindOptions;
import io.switchboard.jobs.RetryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.Map;

/** Job kinds every server runs: handy to try the queue, to smoke-test a deployment, and to see retries and dead letters. */
@Configuration(proxyBeanMethods = false)
public class BuiltInJobs {
    /** Does nothing; takes any JSON object. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static final JobKind<Map<String, Object>> NOOP = (JobKind) JobKind.of("noop", Map.class);
    /** Logs its message. */
    public static final JobKind<LogArgs> LOG = JobKind.of("log", LogArgs.class);
    /** Always fails: retried a few times quickly, then dead-lettered. */
    public static final JobKind<FailArgs> FAIL = JobKind.of("fail", FailArgs.class);

    /** Few attempts, short backoff: a {@code fail} job reaches the dead letters within seconds. */
    static final RetryPolicy FAIL_RETRY_POLICY = new RetryPolicy(3, Duration.ofMillis(250), 2.0, Duration.ofSeconds(2), 0.2);

    private static final Logger log = LoggerFactory.getLogger(BuiltInJobs.class);

    /** Arguments of {@code log}. */
    public record LogArgs(String message) {
        public LogArgs {
            if (message == null) {
                throw new IllegalArgumentException("'message' is required");
            }
        }
    }

    /** Arguments of {@code fail}; the message becomes the error of every attempt. */
    public record FailArgs(String message) {
    }

    /** What a {@code fail} job throws. */
    public static final class DeliberateFailure extends RuntimeException {
        DeliberateFailure(String message) {
            super(message);
        }
    }

    @Bean
    JobHandlerRegistration<Map<String, Object>> noopJob() {
        return JobHandlerRegistration.of(NOOP, (args, context) -> {
        });
    }

    @Bean
    JobHandlerRegistration<LogArgs> logJob() {
        return JobHandlerRegistration.of(LOG, (args, context) ->
                // Line breaks are escaped so a job cannot forge log lines.
                log.info("Job {} (attempt {}): {}", context.jobId(), context.attempt(),
                        args.message().replace("\r", "\\r").replace("\n", "\\n")));
    }

    @Bean
    JobHandlerRegistration<FailArgs> failJob() {
        return new JobHandlerRegistration<>(FAIL, KindOptions.defaults().withRetry(FAIL_RETRY_POLICY), (args, context) -> {
            throw new DeliberateFailure(args.message() == null ? "deliberate failure" : args.message());
        });
    }
}
