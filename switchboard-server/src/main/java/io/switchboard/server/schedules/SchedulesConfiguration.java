package io.switchboard.server.schedules;

import io.switchboard.Maintenance;
import io.switchboard.Switchboard;
import io.switchboard.jobs.JobKind;
import io.switchboard.jobs.JobQueue;
import io.switchboard.schedule.Schedule;
import io.switchboard.schedule.Scheduler;
import io.switchboard.server.jobs.JobHandlerRegistration;
import io.switchboard.server.jobs.SwitchboardBuilderCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts on the server's Switchboard the schedules of {@code switchboard.schedules.*}, every {@link Schedule} bean
 * and the maintenance intervals of {@code switchboard.maintenance.*}. Invalid configuration fails startup.
 */
@Configuration(proxyBeanMethods = false)
class SchedulesConfiguration {
    @Bean
    SwitchboardBuilderCustomizer schedules(SchedulesProperties properties, Environment environment, JsonMapper json,
                                           ObjectProvider<JobHandlerRegistration<?>> registrations,
                                           ObjectProvider<Schedule> scheduleBeans, ObjectProvider<JobQueue> jobQueue) {
        UnknownSettings.check(environment);
        ConfiguredSchedules configured = new ConfiguredSchedules(
                registrations.orderedStream().<JobKind<?>>map(JobHandlerRegistration::kind).toList(),
                json, jobQueue::getObject);
        List<Schedule> schedules = new ArrayList<>(configured.schedules(properties.schedules()));
        scheduleBeans.orderedStream().forEach(schedules::add);
        Maintenance maintenance = ConfiguredSchedules.maintenance(properties.maintenance());
        return builder -> {
            schedules.forEach(builder::schedule);
            builder.maintenance(maintenance);
        };
    }

    /** The Switchboard owns its lifecycle, so Spring must not close it. */
    @Bean(destroyMethod = "")
    Scheduler scheduler(Switchboard switchboard) {
        return switchboard.schedules();
    }
}
