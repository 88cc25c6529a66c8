package dev.trench.bus.guice;

import com.google.inject.ConfigurationException;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import dev.trench.bus.HandlerFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Creates handlers with the injector. Guice's errors (a dependency nobody bound, a constructor that threw) are turned
 * into one line, because the bus lists one line per problem and names the handler itself.
 */
final class InjectorHandlerFactory implements HandlerFactory {
    private final Injector injector;

    InjectorHandlerFactory(Injector injector) {
        this.injector = injector;
    }

    @Override
    public <H> H create(Class<H> handlerType) {
        try {
            return injector.getInstance(handlerType);
        } catch (ConfigurationException e) {
            throw new IllegalStateException("cannot be built by Guice: " + summary(e.getErrorMessages()), e);
        } catch (ProvisionException e) {
            throw new IllegalStateException("failed while Guice built it: " + summary(e.getErrorMessages()), e);
        }
    }

    /** Guice's messages, the first line of each (Guice adds hints and sources on the following lines). */
    static String summary(Collection<Message> messages) {
        List<String> lines = new ArrayList<>();
        for (Message m : messages) {
            String text = m.getMessage();
            if (m.getCause() != null && (text == null || text.isBlank())) {
                text = m.getCause().toString();
            }
            text = text == null ? "" : text.strip();
            int nl = text.indexOf('\n');
            lines.add(nl < 0 ? text : text.substring(0, nl).strip());
        }
        return String.join("; ", lines);
    }

    @Override
    public String toString() {
        return "HandlerFactory{guice}";
    }
}
