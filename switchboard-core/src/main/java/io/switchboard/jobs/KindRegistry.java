package io.switchboard.jobs;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The job kinds one {@code Switchboard} knows: declared (enqueue only) or with a handler (enqueue and run). */
final class KindRegistry {
    record Registration(JobKind<?> kind, KindOptions options, JobHandler<?> handler) {
    }

    private final Map<String, Registration> byName = new LinkedHashMap<>();

    void register(JobKind<?> kind, KindOptions options, JobHandler<?> handler) {
        Registration existing = byName.get(kind.name());
        if (existing != null && !existing.kind().argsType().equals(kind.argsType())) {
            throw new IllegalArgumentException("job kind '" + kind.name() + "' is already registered with arguments of type "
                    + existing.kind().argsType().getName() + ", not " + kind.argsType().getName());
        }
        if (existing != null && existing.handler() != null && handler != null) {
            throw new IllegalArgumentException("job kind '" + kind.name() + "' already has a handler");
        }
        JobHandler<?> effectiveHandler = handler != null ? handler : existing == null ? null : existing.handler();
        byName.put(kind.name(), new Registration(kind, options, effectiveHandler));
    }

    Registration require(String kind) {
        Registration registration = byName.get(kind);
        if (registration == null) {
            throw new UnknownJobKindException(kind);
        }
        return registration;
    }

    Registration find(String kind) {
        return byName.get(kind);
    }

    Collection<Registration> all() {
        return byName.values();
    }

    /** Queues that have at least one kind with a handler. */
    Set<String> workedQueues() {
        Set<String> queues = new TreeSet<>();
        byName.values().stream().filter(r -> r.handler() != null).forEach(r -> queues.add(r.options().queue()));
        return queues;
    }

    /** Kinds with a handler on {@code queue}: the only ones a worker of this instance claims there. */
    List<String> handledKinds(String queue) {
        return byName.values().stream()
                .filter(r -> r.handler() != null && r.options().queue().equals(queue))
                .map(r -> r.kind().name())
                .toList();
    }
}
