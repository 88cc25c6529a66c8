package dev.trench.bus;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Typed gateways: an interface of your own whose methods each take one command and return its result, implemented by
 * the bus. Callers then depend on a small business interface instead of the bus.
 *
 * <pre>{@code
 * public interface AuctionGateway {
 *     CompletionStage<Accepted> raiseBid(RaiseBid command);   // asynchronous: dispatch
 *     AuctionOpened openAuction(OpenAuction command);         // blocking: dispatchAndWait
 * }
 * AuctionGateway gateway = CommandGateway.create(AuctionGateway.class, bus);
 * }</pre>
 *
 * <p>Every method is checked when the gateway is created: one parameter, a command type registered with the bus,
 * and a return type of {@code CompletionStage<R>} or {@code R} where {@code R} is the command's result type
 * ({@code void} is allowed for blocking methods). All problems are reported at once.
 */
public final class CommandGateway {
    private CommandGateway() {
    }

    /**
     * Creates the gateway.
     *
     * @throws BusConfigurationException listing every method that does not fit
     */
    public static <G> G create(Class<G> gatewayType, CommandBus bus) {
        if (!gatewayType.isInterface()) {
            throw new BusConfigurationException(List.of("Gateway " + gatewayType.getName() + " must be an interface"));
        }
        List<String> problems = new ArrayList<>();
        // getMethods() has no defined order: sort, so that the problems are listed the same way on every run
        Method[] methods = gatewayType.getMethods();
        java.util.Arrays.sort(methods, java.util.Comparator.comparing(Method::getName)
                .thenComparing(m -> java.util.Arrays.toString(m.getParameterTypes())));
        for (Method m : methods) {
            if (m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            String where = "Gateway method " + gatewayType.getSimpleName() + "." + m.getName();
            if (m.getParameterCount() != 1 || !Command.class.isAssignableFrom(m.getParameterTypes()[0])) {
                problems.add(where + " must take exactly one command parameter");
                continue;
            }
            Class<?> commandType = m.getParameterTypes()[0];
            if (bus.spec(commandType).isEmpty()) {
                problems.add(where + " takes " + commandType.getName() + ", which is not registered with the bus");
            }
            Class<?> resultType = resultTypeOf(commandType);
            Class<?> returned = m.getReturnType();
            if (CompletionStage.class.isAssignableFrom(returned)) {
                Type generic = m.getGenericReturnType();
                if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> r
                        && resultType != null && !r.isAssignableFrom(resultType)) {
                    problems.add(where + " returns CompletionStage<" + r.getSimpleName() + "> but "
                            + commandType.getSimpleName() + " produces " + resultType.getSimpleName());
                }
            } else if (returned != void.class && resultType != null && !boxed(returned).isAssignableFrom(resultType)) {
                problems.add(where + " returns " + returned.getSimpleName() + " but " + commandType.getSimpleName()
                        + " produces " + resultType.getSimpleName());
            }
        }
        if (!problems.isEmpty()) {
            throw new BusConfigurationException(problems);
        }
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "toString" -> "CommandGateway{" + gatewayType.getName() + "}";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                };
            }
            if (method.isDefault()) {
                return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
            }
            Command<?> command = (Command<?>) args[0];
            if (CompletionStage.class.isAssignableFrom(method.getReturnType())) {
                return bus.dispatch(command);
            }
            Object result = bus.dispatchAndWait(command);
            return method.getReturnType() == void.class ? null : result;
        };
        return gatewayType.cast(Proxy.newProxyInstance(gatewayType.getClassLoader(), new Class<?>[] {gatewayType},
                handler));
    }

    private static Class<?> resultTypeOf(Class<?> commandType) {
        return dev.trench.bus.internal.Types.commandResultType(commandType);
    }

    private static Class<?> boxed(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return java.lang.invoke.MethodType.methodType(type).wrap().returnType();
    }
}
