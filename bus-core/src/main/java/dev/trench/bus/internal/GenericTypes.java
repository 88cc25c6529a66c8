package dev.trench.bus.internal;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Resolves the type arguments a class gives to a generic interface, through superclasses and interfaces. */
final class GenericTypes {
    private GenericTypes() {
    }

    /**
     * The class given as type argument {@code index} of {@code target} by {@code type}, or {@code null} when it is
     * not a class (a type variable left open, a lambda's raw implementation) or {@code type} does not implement it.
     */
    static @Nullable Class<?> typeArgument(Class<?> type, Class<?> target, int index) {
        Type resolved = find(type, target, new HashMap<>());
        if (resolved instanceof ParameterizedType p) {
            return rawClass(p.getActualTypeArguments()[index]);
        }
        return null;
    }

    static boolean implementsInterface(Class<?> type, Class<?> target) {
        return target.isAssignableFrom(type);
    }

    private static @Nullable Type find(Type type, Class<?> target, Map<TypeVariable<?>, Type> bindings) {
        Class<?> raw = rawClass(type);
        if (raw == null) {
            return null;
        }
        if (type instanceof ParameterizedType p) {
            TypeVariable<?>[] vars = raw.getTypeParameters();
            Type[] args = p.getActualTypeArguments();
            Map<TypeVariable<?>, Type> next = new HashMap<>(bindings);
            for (int i = 0; i < vars.length; i++) {
                next.put(vars[i], substitute(args[i], bindings));
            }
            bindings = next;
            if (raw == target) {
                Type[] substituted = new Type[args.length];
                for (int i = 0; i < args.length; i++) {
                    substituted[i] = substitute(args[i], bindings);
                }
                return new Resolved(raw, substituted);
            }
        } else if (raw == target) {
            return type;
        }
        for (Type i : raw.getGenericInterfaces()) {
            Type found = find(i, target, bindings);
            if (found != null) {
                return found;
            }
        }
        Type sup = raw.getGenericSuperclass();
        return sup == null ? null : find(sup, target, bindings);
    }

    private static Type substitute(Type t, Map<TypeVariable<?>, Type> bindings) {
        if (t instanceof TypeVariable<?> v && bindings.containsKey(v)) {
            return bindings.get(v);
        }
        return t;
    }

    private static @Nullable Class<?> rawClass(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return null;
    }

    private record Resolved(Class<?> raw, Type[] args) implements ParameterizedType {
        @Override
        public Type[] getActualTypeArguments() {
            return args.clone();
        }

        @Override
        public Type getRawType() {
            return raw;
        }

        @Override
        public @Nullable Type getOwnerType() {
            return null;
        }
    }
}
