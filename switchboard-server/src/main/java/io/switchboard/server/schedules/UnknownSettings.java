package io.switchboard.server.schedules;

import io.switchboard.server.schedules.SchedulesProperties.MaintenanceSettings;
import io.switchboard.server.schedules.SchedulesProperties.ScheduleSettings;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses settings under {@code switchboard.schedules.<name>} and {@code switchboard.maintenance} that no field
 * binds: Spring would ignore a misspelt {@code misssed-slots} and the schedule would quietly behave otherwise.
 */
final class UnknownSettings {
    private static final ConfigurationPropertyName SCHEDULES = ConfigurationPropertyName.of("switchboard.schedules");
    private static final ConfigurationPropertyName MAINTENANCE = ConfigurationPropertyName.of("switchboard.maintenance");

    private UnknownSettings() {
    }

    static void check(Environment environment) {
        Set<String> scheduleFields = uniformNames(ScheduleSettings.class);
        Set<String> maintenanceFields = uniformNames(MaintenanceSettings.class);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            iterable.stream().forEach(name -> {
                if (SCHEDULES.isAncestorOf(name) && name.getNumberOfElements() > 3
                        && !scheduleFields.contains(name.getElement(3, Form.UNIFORM))) {
                    String schedule = name.getElement(2, Form.ORIGINAL);
                    throw new InvalidScheduleConfigurationException("Invalid schedule '" + schedule + "' (" + name
                            + "): unknown setting '" + name.getElement(3, Form.ORIGINAL) + "'; known settings: "
                            + dashed(ScheduleSettings.class));
                }
                if (MAINTENANCE.isAncestorOf(name) && !maintenanceFields.contains(name.getElement(2, Form.UNIFORM))) {
                    throw new InvalidScheduleConfigurationException("Invalid switchboard.maintenance (" + name
                            + "): unknown setting '" + name.getElement(2, Form.ORIGINAL) + "'; known settings: "
                            + dashed(MaintenanceSettings.class));
                }
            });
        }
    }

    /** Field names as Spring compares them: lower case, letters and digits only. */
    private static Set<String> uniformNames(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents())
                .map(c -> c.getName().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
    }

    private static List<String> dashed(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT))
                .toList();
    }
}
