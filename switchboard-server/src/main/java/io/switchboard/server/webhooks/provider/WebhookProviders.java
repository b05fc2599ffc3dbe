package io.switchboard.server.webhooks.provider;

import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every {@link WebhookProvider} bean by name; a user adds a provider by declaring another bean. */
@Component
public class WebhookProviders {
    private final Map<String, WebhookProvider> byName;

    public WebhookProviders(List<WebhookProvider> providers) {
        this.byName = providers.stream().collect(Collectors.toMap(WebhookProvider::name, Function.identity(), (a, b) -> {
            throw new IllegalStateException("two webhook providers are named " + a.name() + ": "
                    + a.getClass().getName() + " and " + b.getClass().getName());
        }, TreeMap::new));
        byName.keySet().forEach(name -> {
            if (!name.matches("[a-z][a-z0-9-]{0,39}")) {
                throw new IllegalStateException("webhook provider name '" + name + "' must be lower-case letters, digits and '-'");
            }
        });
    }

    /** The provider of that name, if there is one. */
    public Optional<WebhookProvider> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Names of all providers, sorted. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
