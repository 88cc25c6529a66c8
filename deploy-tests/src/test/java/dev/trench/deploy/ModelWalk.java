package dev.trench.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds what the fabric8 model parsed but does not know: fields it kept in {@code additionalProperties} (a typo such
 * as {@code replicass} or {@code imagee}, or a field of a newer API version) and whole objects it could only read as
 * {@link GenericKubernetesResource} (an unknown apiVersion or kind). Parsing alone accepts both silently.
 */
final class ModelWalk {
    private static final String MODEL = "io.fabric8.kubernetes.api.model";

    private final List<String> problems;
    private final Set<Object> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private int visited;

    private ModelWalk(List<String> problems) {
        this.problems = problems;
    }

    /**
     * Walks {@code root}, adding one line per unknown field or kind to {@code problems}.
     *
     * @return how many model objects were visited
     */
    static int check(Object root, String path, List<String> problems) {
        ModelWalk walk = new ModelWalk(problems);
        walk.walk(root, path);
        return walk.visited;
    }

    private void walk(Object o, String path) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>) {
            return;
        }
        if (o instanceof GenericKubernetesResource generic) {
            problems.add(path + ": unknown apiVersion/kind " + generic.getApiVersion() + " " + generic.getKind()
                    + " (parsed as GenericKubernetesResource)");
            return;
        }
        if (o instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]");
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k));
            return;
        }
        if (!o.getClass().getName().startsWith(MODEL) || !seen.add(o)) {
            return;
        }
        visited++;
        additionalProperties(o, path);
        for (Class<?> type = o.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                JsonProperty property = field.getAnnotation(JsonProperty.class);
                if (property == null || Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    walk(field.get(o), path + "." + property.value());
                } catch (ReflectiveOperationException | RuntimeException e) {
                    problems.add(path + "." + property.value() + ": cannot read the field (" + e + ")");
                }
            }
        }
    }

    private void additionalProperties(Object o, String path) {
        Method getter;
        try {
            getter = o.getClass().getMethod("getAdditionalProperties");
        } catch (NoSuchMethodException e) {
            return;
        }
        try {
            Object extra = getter.invoke(o);
            if (extra instanceof Map<?, ?> map && !map.isEmpty()) {
                for (Object key : map.keySet()) {
                    problems.add(path + "." + key + ": unknown field (a typo, or not in this API version)");
                }
            }
        } catch (ReflectiveOperationException e) {
            problems.add(path + ": cannot read additionalProperties (" + e + ")");
        }
    }
}
