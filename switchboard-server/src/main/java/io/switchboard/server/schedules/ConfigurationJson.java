package io.switchboard.server.schedules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON from a map bound from configuration. Spring binds a YAML list under a {@code Map<String, Object>} as a
 * map keyed "0", "1", ...; such maps become JSON arrays again. Scalars keep the type their source gave them:
 * numbers and booleans from YAML, text from properties files and environment variables.
 */
final class ConfigurationJson {
    private ConfigurationJson() {
    }

    static Object toJsonValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            if (isIndexed(map)) {
                List<Object> list = new ArrayList<>(map.size());
                for (int i = 0; i < map.size(); i++) {
                    list.add(toJsonValue(map.get(Integer.toString(i))));
                }
                return list;
            }
            Map<String, Object> object = new LinkedHashMap<>();
            map.forEach((key, v) -> object.put(String.valueOf(key), toJsonValue(v)));
            return object;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ConfigurationJson::toJsonValue).toList();
        }
        return value;
    }

    private static boolean isIndexed(Map<?, ?> map) {
        if (map.isEmpty()) {
            return false;
        }
        for (int i = 0; i < map.size(); i++) {
            if (!map.containsKey(Integer.toString(i))) {
                return false;
            }
        }
        return true;
    }
}
