package dev.trench.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trench.deploy.AuctionCode.Role;
import dev.trench.deploy.Manifests.EnvValue;
import dev.trench.deploy.Manifests.Workload;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests (k8s/base + k8s/overlays/{dev,prod}), rendered by {@code kubectl kustomize} and parsed
 * with fabric8's model, checked against each other and against the auction example's code (its CLI sources are the
 * source of truth for the environment variables, ports, drain timeouts and routes). Each check collects every
 * problem of an overlay and fails once, listing them all.
 */
class KubernetesManifestTest {
    private static final List<String> REQUIRED_LABELS = List.of("app.kubernetes.io/name",
            "app.kubernetes.io/instance", "app.kubernetes.io/component", "app.kubernetes.io/part-of",
            "app.kubernetes.io/version", "app.kubernetes.io/managed-by");
    private static final String HOSTNAME = "kubernetes.io/hostname";
    /** What must be left of the grace period after the preStop pause and the drain (closing sockets, stores). */
    private static final Duration GRACE_MARGIN = Duration.ofSeconds(5);
    /** Environment variables the Redis container reads itself (redis-cli reads REDISCLI_AUTH, for the probe). */
    private static final Set<String> REDIS_OWN_VARIABLES = Set.of("REDISCLI_AUTH");
    private static final Pattern VAR_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final Pattern SLEEP_COMMAND = Pattern.compile("^(?:exec\\s+)?sleep\\s+(\\d+)\\s*$");

    /** Which workload each Service must select, and whether it is headless. */
    private record ServiceExpectation(String workload, boolean headless) {
    }

    private static final Map<String, ServiceExpectation> SERVICES = Map.of(
            "auction-api", new ServiceExpectation("Deployment/auction-api", false),
            "auction-worker", new ServiceExpectation("Deployment/auction-worker", true),
            "auction-ws", new ServiceExpectation("Deployment/auction-ws", true),
            "auction-ws-public", new ServiceExpectation("Deployment/auction-ws", false),
            "auction-redis", new ServiceExpectation("StatefulSet/auction-redis", false),
            "auction-redis-headless", new ServiceExpectation("StatefulSet/auction-redis", true));

    /**
     * Addresses in a role's configuration: the option, the workload it must reach, the container port there, and
     * whether the name must be a headless Service (the role resolves every address behind it: a ClusterIP would
     * show it a single address, and the workers would publish events to one websocket node only).
     */
    private record AddressExpectation(String role, String option, String workload, String portName,
            boolean headless) {
    }

    private static final List<AddressExpectation> ADDRESSES = List.of(
            new AddressExpectation("api", "--workers", "Deployment/auction-worker", "http", true),
            new AddressExpectation("api", "--redis", "StatefulSet/auction-redis", "redis", false),
            new AddressExpectation("worker", "--ws-events", "Deployment/auction-ws", "events", true),
            new AddressExpectation("worker", "--redis", "StatefulSet/auction-redis", "redis", false),
            new AddressExpectation("ws", "--api-url", "Deployment/auction-api", "http", false));

    /**
     * Who may reach each port a pod listens on (issue 8): pods of these workloads (same namespace) and any pod of
     * these namespaces (matched by kubernetes.io/metadata.name). Exactly these, no more.
     */
    private record Reach(Set<String> workloads, Set<String> namespaces) {
    }

    private static final Map<String, Reach> NETWORK = Map.of(
            "Deployment/auction-api:http",
            new Reach(Set.of("Deployment/auction-ws"), Set.of("ingress-nginx", "monitoring")),
            "Deployment/auction-worker:http",
            new Reach(Set.of("Deployment/auction-api"), Set.of("monitoring")),
            "Deployment/auction-ws:http", new Reach(Set.of(), Set.of("ingress-nginx", "monitoring")),
            "Deployment/auction-ws:events", new Reach(Set.of("Deployment/auction-worker"), Set.of()),
            "StatefulSet/auction-redis:redis",
            new Reach(Set.of("Deployment/auction-api", "Deployment/auction-worker"), Set.of()));

    private static final List<String> ROLES = List.of("api", "worker", "ws");

    // ---- rendering and parsing -------------------------------------------------------------------------------------

    @Test
    @DisplayName("both overlays render with kubectl kustomize and contain every object of the cluster")
    void bothOverlaysRender() {
        for (String overlay : List.of("dev", "prod")) {
            Manifests m = Manifests.overlay(overlay);
            Set<String> kinds = m.objects.stream().map(Manifests::describe).collect(Collectors.toCollection(TreeSet::new));
            assertThat(kinds).as(overlay + " objects").contains("Deployment/auction-api", "Deployment/auction-worker",
                    "Deployment/auction-ws", "StatefulSet/auction-redis", "Service/auction-api",
                    "Service/auction-worker", "Service/auction-ws", "Service/auction-ws-public",
                    "Service/auction-redis", "Ingress/auction", "NetworkPolicy/auction-default-deny-ingress");
            assertThat(m.all(ConfigMap.class)).as(overlay + " ConfigMaps").hasSize(3);
            assertThat(m.all(Secret.class)).as(overlay + " Secrets").hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("the model knows every field and kind (no typo hides in additionalProperties)")
    void noUnknownFieldsOrKinds(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        int visited = 0;
        for (HasMetadata o : m.objects) {
            visited += ModelWalk.check(o, Manifests.describe(o), problems);
        }
        assertThat(visited).as("model objects walked").isGreaterThan(m.objects.size() * 5);
        assertThat(problems).as(overlay + ": unknown fields or kinds").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("every namespaced object lives in the overlay's namespace, which enforces the restricted profile")
    void everythingInTheOverlaysNamespace(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        Namespace ns = m.namespace();
        String name = ns.getMetadata().getName();
        List<String> problems = new ArrayList<>();
        for (HasMetadata o : m.objects) {
            if (!(o instanceof Namespace) && !name.equals(o.getMetadata().getNamespace())) {
                problems.add(Manifests.describe(o) + " is in namespace " + o.getMetadata().getNamespace());
            }
        }
        assertThat(problems).as(overlay + ": namespaces").isEmpty();
        assertThat(ns.getMetadata().getLabels()).as("Pod Security Admission of " + name)
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    }

    // ---- labels and selectors ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("every object and pod template carries the app.kubernetes.io labels")
    void recommendedLabels(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        Set<String> partOf = new TreeSet<>();
        Set<String> instances = new TreeSet<>();
        for (HasMetadata o : m.objects) {
            Map<String, String> labels = Objects.requireNonNullElse(o.getMetadata().getLabels(), Map.of());
            missingLabels(Manifests.describe(o), labels, problems);
            partOf.add(String.valueOf(labels.get("app.kubernetes.io/part-of")));
            instances.add(String.valueOf(labels.get("app.kubernetes.io/instance")));
        }
        for (Workload w : m.workloads()) {
            Map<String, String> own = w.object().getMetadata().getLabels();
            missingLabels(w.id() + " pod template", w.podLabels(), problems);
            for (String key : List.of("app.kubernetes.io/name", "app.kubernetes.io/component",
                    "app.kubernetes.io/version")) {
                if (!Objects.equals(own.get(key), w.podLabels().get(key))) {
                    problems.add(w.id() + ": pod template " + key + "=" + w.podLabels().get(key)
                            + " differs from the workload's " + own.get(key));
                }
            }
        }
        assertThat(problems).as(overlay + ": labels").isEmpty();
        assertThat(partOf).as(overlay + ": app.kubernetes.io/part-of values").hasSize(1);
        assertThat(instances).as(overlay + ": app.kubernetes.io/instance values").hasSize(1);
    }

    private static void missingLabels(String what, Map<String, String> labels, List<String> problems) {
        for (String key : REQUIRED_LABELS) {
            String value = labels.get(key);
            if (value == null || value.isBlank()) {
                problems.add(what + " lacks label " + key);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("each workload's selector matches its own pods and no other workload's")
    void workloadSelectorsAreExact(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        for (Workload w : m.workloads()) {
            LabelSelector selector = w.selector();
            if (selector == null || (selector.getMatchLabels() == null && selector.getMatchExpressions() == null)) {
                problems.add(w.id() + " has no selector");
                continue;
            }
            if (selector.getMatchLabels() != null && selector.getMatchLabels().containsKey("app.kubernetes.io/version")) {
                problems.add(w.id() + ": the selector holds the version label (selectors are immutable)");
            }
            List<String> selected = m.selectedBy(selector).stream().map(Workload::id).toList();
            if (!selected.equals(List.of(w.id()))) {
                problems.add(w.id() + ": its selector matches the pods of " + selected);
            }
        }
        assertThat(m.workloads()).as(overlay + " workloads").hasSize(4);
        assertThat(problems).as(overlay + ": workload selectors").isEmpty();
    }

    // ---- services ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("each Service selects exactly its workload, and its target ports are that workload's container ports")
    void servicesSelectTheirWorkloadOnContainerPorts(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        List<Service> services = m.all(Service.class);
        assertThat(services.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet()))
                .as(overlay + ": Services").isEqualTo(SERVICES.keySet());
        for (Service s : services) {
            String name = s.getMetadata().getName();
            ServiceExpectation expected = SERVICES.get(name);
            List<Workload> selected = m.selectedBy(s.getSpec().getSelector());
            List<String> ids = selected.stream().map(Workload::id).toList();
            if (!ids.equals(List.of(expected.workload()))) {
                problems.add("Service " + name + " selects " + ids + ", expected exactly " + expected.workload());
                continue;
            }
            if (Manifests.isHeadless(s) != expected.headless()) {
                problems.add("Service " + name + (expected.headless() ? " must be headless (clusterIP: None)"
                        : " must not be headless"));
            }
            Workload w = selected.get(0);
            if (s.getSpec().getPorts() == null || s.getSpec().getPorts().isEmpty()) {
                problems.add("Service " + name + " has no ports");
                continue;
            }
            for (ServicePort p : s.getSpec().getPorts()) {
                IntOrString target = p.getTargetPort() == null ? new IntOrString(p.getPort()) : p.getTargetPort();
                Optional<ContainerPort> cp = w.port(target);
                if (cp.isEmpty()) {
                    problems.add("Service " + name + " port " + p.getPort() + ": targetPort " + target.getValue()
                            + " is no container port of " + w.id() + " " + portList(w));
                } else if (!Objects.equals(protocol(cp.get().getProtocol()), protocol(p.getProtocol()))) {
                    problems.add("Service " + name + " port " + p.getPort() + ": protocol " + p.getProtocol()
                            + " but the container port is " + cp.get().getProtocol());
                }
            }
        }
        for (StatefulSet sts : m.all(StatefulSet.class)) {
            String governing = sts.getSpec().getServiceName();
            Optional<Service> svc = governing == null ? Optional.empty() : m.service(governing);
            if (svc.isEmpty() || !Manifests.isHeadless(svc.get())
                    || !m.selectedBy(svc.get().getSpec().getSelector()).stream().map(Workload::id).toList()
                    .equals(List.of("StatefulSet/" + sts.getMetadata().getName()))) {
                problems.add("StatefulSet " + sts.getMetadata().getName() + ": serviceName " + governing
                        + " must be a headless Service selecting it");
            }
        }
        assertThat(problems).as(overlay + ": Services").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("addresses in the configuration name Services that reach the intended pods on the right port")
    void configuredAddressesReachTheirServices(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        AuctionCode code = AuctionCode.get();
        List<String> problems = new ArrayList<>();
        for (AddressExpectation a : ADDRESSES) {
            Workload from = m.roleWorkload(a.role());
            Container c = appContainer(from);
            Map<String, String> env = Manifests.values(m.environment(c, problems));
            String value = code.role(a.role()).effective(a.option(), env).orElse(null);
            String what = from.id() + " " + a.option() + "=" + value;
            if (value == null || value.contains(",")) {
                problems.add(what + ": expected a single Service address");
                continue;
            }
            URI uri = URI.create(value.contains("://") ? value : "tcp://" + value);
            Optional<Service> svc = m.service(uri.getHost() == null ? "" : uri.getHost());
            if (svc.isEmpty()) {
                problems.add(what + ": no Service named " + uri.getHost() + " (a short name in the same namespace)");
                continue;
            }
            List<String> selected = m.selectedBy(svc.get().getSpec().getSelector()).stream().map(Workload::id).toList();
            if (!selected.equals(List.of(a.workload()))) {
                problems.add(what + ": Service " + uri.getHost() + " selects " + selected + ", not " + a.workload());
                continue;
            }
            if (a.headless() && !Manifests.isHeadless(svc.get())) {
                problems.add(what + ": Service " + uri.getHost() + " must be headless: the role resolves every"
                        + " address behind the name (one per pod)");
            }
            Workload target = m.workload(a.workload());
            Optional<ServicePort> sp = svc.get().getSpec().getPorts().stream()
                    .filter(p -> Objects.equals(p.getPort(), uri.getPort())).findFirst();
            Optional<ContainerPort> cp = sp.flatMap(p -> target.port(
                    p.getTargetPort() == null ? new IntOrString(p.getPort()) : p.getTargetPort()));
            if (cp.isEmpty() || !a.portName().equals(cp.get().getName())) {
                problems.add(what + ": port " + uri.getPort() + " of Service " + uri.getHost()
                        + " does not lead to the container port '" + a.portName() + "' of " + a.workload());
            }
        }
        assertThat(problems).as(overlay + ": configured addresses").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("each role listens on the container ports the manifests declare")
    void rolesListenOnTheirContainerPorts(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        AuctionCode code = AuctionCode.get();
        List<String> problems = new ArrayList<>();
        for (String roleName : ROLES) {
            Workload w = m.roleWorkload(roleName);
            Role role = code.role(roleName);
            Map<String, String> env = Manifests.values(m.environment(appContainer(w), problems));
            int port = Integer.parseInt(role.effective("--port", env).orElseThrow());
            if (w.portNamed("http").map(ContainerPort::getContainerPort).filter(p -> p == port).isEmpty()) {
                problems.add(w.id() + ": the role listens on " + port + " (--port), the container port 'http' is "
                        + w.portNamed("http").map(ContainerPort::getContainerPort).orElse(null));
            }
            Set<String> declared = w.ports().stream().map(ContainerPort::getName).collect(Collectors.toSet());
            Set<String> expected = roleName.equals("ws") ? Set.of("http", "events") : Set.of("http");
            if (!declared.equals(expected)) {
                problems.add(w.id() + ": container ports " + declared + ", expected " + expected);
            }
            if (roleName.equals("ws")) {
                String bind = role.effective("--events-bind", env).orElseThrow();
                int eventsPort = Integer.parseInt(bind.substring(bind.lastIndexOf(':') + 1));
                if (w.portNamed("events").map(ContainerPort::getContainerPort).filter(p -> p == eventsPort).isEmpty()) {
                    problems.add(w.id() + ": the ZeroMQ socket binds " + bind + ", the container port 'events' is "
                            + w.portNamed("events").map(ContainerPort::getContainerPort).orElse(null));
                }
            }
        }
        assertThat(problems).as(overlay + ": listening ports").isEmpty();
    }

    // ---- environment -----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("every environment variable a container gets is one its program reads; secrets come from Secrets")
    void everyEnvironmentVariableIsRead(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        AuctionCode code = AuctionCode.get();
        Set<String> secretVariables = code.secretVariables();
        assertThat(secretVariables).as("secret options of the CLI").contains("AUCTION_TOKEN_KEY",
                "AUCTION_REDIS_PASSWORD");
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Workload w : m.workloads()) {
            for (Container c : w.containers()) {
                Map<String, EnvValue> env = m.environment(c, problems);
                Set<String> reads;
                String reader;
                if (Manifests.isApp(c)) {
                    String roleName = c.getArgs() == null || c.getArgs().isEmpty() ? null : c.getArgs().get(0);
                    if (roleName == null || !code.roles.containsKey(roleName)) {
                        problems.add(w.id() + "/" + c.getName() + ": argument " + roleName + " is no role of the CLI "
                                + code.roles.keySet());
                        continue;
                    }
                    Role role = code.role(roleName);
                    reads = role.envRead();
                    reader = "the role " + roleName + " (" + role.sources().stream().map(p -> p.getFileName()
                            .toString()).toList() + ")";
                } else {
                    reads = new TreeSet<>(REDIS_OWN_VARIABLES);
                    reads.addAll(referencedVariables(c));
                    reader = "the container (its own variables, and $(VAR) in its command and args)";
                }
                for (EnvValue v : env.values()) {
                    checked++;
                    if (!reads.contains(v.name())) {
                        problems.add(w.id() + "/" + c.getName() + ": " + v.name() + " (from " + v.source()
                                + ") is not read by " + reader);
                    }
                    boolean secret = secretVariables.contains(v.name()) || v.name().contains("PASSWORD")
                            || v.name().contains("AUTH");
                    if (secret && !v.source().startsWith("Secret ")) {
                        problems.add(w.id() + "/" + c.getName() + ": " + v.name() + " is a secret but comes from "
                                + v.source());
                    }
                }
                if (!Manifests.isApp(c)) {
                    for (String ref : referencedVariables(c)) {
                        if (!env.containsKey(ref)) {
                            problems.add(w.id() + "/" + c.getName() + ": $(" + ref + ") in command/args is not set");
                        }
                    }
                }
            }
        }
        for (ConfigMap cm : m.all(ConfigMap.class)) {
            boolean used = m.workloads().stream().flatMap(w -> w.containers().stream())
                    .anyMatch(c -> c.getEnvFrom() != null && c.getEnvFrom().stream().anyMatch(f ->
                            f.getConfigMapRef() != null && cm.getMetadata().getName().equals(f.getConfigMapRef()
                                    .getName())));
            if (!used) {
                problems.add("ConfigMap " + cm.getMetadata().getName() + " is used by no container");
            }
        }
        assertThat(checked).as(overlay + ": environment variables checked").isGreaterThan(20);
        assertThat(problems).as(overlay + ": environment").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("the API and the websocket nodes share the token key; the API and the workers use Redis")
    void rolesGetWhatTheyNeed(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, EnvValue>> envs = new LinkedHashMap<>();
        for (String role : ROLES) {
            envs.put(role, m.environment(appContainer(m.roleWorkload(role)), problems));
        }
        EnvValue apiKey = envs.get("api").get("AUCTION_TOKEN_KEY");
        EnvValue wsKey = envs.get("ws").get("AUCTION_TOKEN_KEY");
        if (apiKey == null || wsKey == null || !Objects.equals(apiKey.source(), wsKey.source())
                || apiKey.value() == null || !apiKey.value().equals(wsKey.value())
                || apiKey.value().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 16) {
            problems.add("AUCTION_TOKEN_KEY must come from the same Secret key for api and ws, >= 16 bytes: api "
                    + apiKey + ", ws " + wsKey);
        }
        for (String role : List.of("api", "worker")) {
            Map<String, EnvValue> env = envs.get(role);
            if (env.get("AUCTION_STORE") == null || !"redis".equals(env.get("AUCTION_STORE").value())) {
                problems.add(role + ": AUCTION_STORE must be redis (memory is one process's own store)");
            }
            if (env.get("AUCTION_REDIS_PASSWORD") == null) {
                problems.add(role + ": AUCTION_REDIS_PASSWORD is not set (Redis requires it)");
            }
        }
        Workload redis = m.workload("StatefulSet/auction-redis");
        Container redisContainer = redis.template().getSpec().getContainers().get(0);
        List<String> args = new ArrayList<>(Objects.requireNonNullElse(redisContainer.getCommand(), List.of()));
        args.addAll(Objects.requireNonNullElse(redisContainer.getArgs(), List.of()));
        int at = args.indexOf("--requirepass");
        Map<String, EnvValue> redisEnv = m.environment(redisContainer, problems);
        Matcher ref = at < 0 || at + 1 >= args.size() ? null : VAR_REFERENCE.matcher(args.get(at + 1));
        if (ref == null || !ref.matches() || redisEnv.get(ref.group(1)) == null) {
            problems.add("Redis must start with --requirepass $(VAR), VAR from the Secret: " + args);
        } else if (!Objects.equals(redisEnv.get(ref.group(1)).value(), envs.get("worker").get("AUCTION_REDIS_PASSWORD")
                .value())) {
            problems.add("Redis' password and the workers' AUCTION_REDIS_PASSWORD differ");
        }
        assertThat(problems).as(overlay + ": what the roles need").isEmpty();
    }

    private static Set<String> referencedVariables(Container c) {
        Set<String> refs = new TreeSet<>();
        List<String> words = new ArrayList<>(Objects.requireNonNullElse(c.getCommand(), List.of()));
        words.addAll(Objects.requireNonNullElse(c.getArgs(), List.of()));
        for (String word : words) {
            Matcher m = VAR_REFERENCE.matcher(word);
            while (m.find()) {
                refs.add(m.group(1));
            }
        }
        return refs;
    }

    // ---- probes, resources, security ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("probes ask /health/ready and /health/live on the role's HTTP port; other containers are probed too")
    void probesPointAtServedPaths(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        AuctionCode code = AuctionCode.get();
        List<String> problems = new ArrayList<>();
        for (Workload w : m.workloads()) {
            for (Container c : w.template().getSpec().getContainers()) {
                String where = w.id() + "/" + c.getName();
                if (c.getReadinessProbe() == null || c.getLivenessProbe() == null) {
                    problems.add(where + ": needs a readiness and a liveness probe");
                    continue;
                }
                if (Manifests.isApp(c)) {
                    httpProbe(where + " readiness", c.getReadinessProbe(), "/health/ready", w, code, problems);
                    httpProbe(where + " liveness", c.getLivenessProbe(), "/health/live", w, code, problems);
                    if (c.getStartupProbe() != null) {
                        httpProbe(where + " startup", c.getStartupProbe(), "/health/live", w, code, problems);
                    }
                } else {
                    for (Probe p : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
                        IntOrString port = p.getTcpSocket() != null ? p.getTcpSocket().getPort()
                                : p.getHttpGet() != null ? p.getHttpGet().getPort() : null;
                        if (port != null ? w.port(port).isEmpty() : p.getExec() == null
                                || p.getExec().getCommand() == null || p.getExec().getCommand().isEmpty()) {
                            problems.add(where + ": a probe checks neither a container port nor a command");
                        }
                    }
                }
            }
        }
        assertThat(problems).as(overlay + ": probes").isEmpty();
    }

    private static void httpProbe(String where, Probe probe, String path, Workload w, AuctionCode code,
            List<String> problems) {
        HTTPGetAction get = probe.getHttpGet();
        if (get == null) {
            problems.add(where + ": must be an httpGet of " + path);
            return;
        }
        if (!path.equals(get.getPath()) || !code.opsPaths.contains(get.getPath())) {
            problems.add(where + ": asks " + get.getPath() + ", expected " + path + " (served: " + code.opsPaths + ")");
        }
        Optional<ContainerPort> port = w.port(get.getPort());
        if (port.isEmpty() || !"http".equals(port.get().getName())) {
            problems.add(where + ": port " + (get.getPort() == null ? null : get.getPort().getValue())
                    + " is not the role's HTTP container port");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("every container has CPU and memory requests and limits (requests <= limits)")
    void resourcesRequestedAndLimited(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        int containers = 0;
        for (Workload w : m.workloads()) {
            for (Container c : w.containers()) {
                containers++;
                String where = w.id() + "/" + c.getName();
                ResourceRequirements r = c.getResources();
                for (String resource : List.of("cpu", "memory")) {
                    Quantity request = r == null || r.getRequests() == null ? null : r.getRequests().get(resource);
                    Quantity limit = r == null || r.getLimits() == null ? null : r.getLimits().get(resource);
                    if (request == null || limit == null) {
                        problems.add(where + ": " + resource + " needs a request and a limit");
                    } else if (amount(request).compareTo(amount(limit)) > 0) {
                        problems.add(where + ": " + resource + " request " + request + " > limit " + limit);
                    }
                }
            }
        }
        assertThat(containers).as(overlay + " containers").isEqualTo(4);
        assertThat(problems).as(overlay + ": resources").isEmpty();
    }

    private static BigDecimal amount(Quantity q) {
        return Quantity.getAmountInBytes(q);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("every container runs non-root, read-only, unprivileged, no capabilities, RuntimeDefault seccomp")
    void securityContexts(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        int imageUid = ImageTest.dockerfileUser()[0];
        for (Workload w : m.workloads()) {
            PodSpec pod = w.template().getSpec();
            PodSecurityContext psc = Objects.requireNonNullElse(pod.getSecurityContext(), new PodSecurityContext());
            if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
                problems.add(w.id() + ": automountServiceAccountToken must be false (no role talks to the API server)");
            }
            if (!Boolean.FALSE.equals(pod.getEnableServiceLinks())) {
                problems.add(w.id() + ": enableServiceLinks must be false: the Service auction-api would inject"
                        + " AUCTION_API_PORT=tcp://...:8080, which the api role reads as its port");
            }
            if (Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                    || Boolean.TRUE.equals(pod.getHostIPC())) {
                problems.add(w.id() + ": shares a host namespace");
            }
            for (Container c : w.containers()) {
                String where = w.id() + "/" + c.getName();
                SecurityContext sc = Objects.requireNonNullElse(c.getSecurityContext(), new SecurityContext());
                Boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : psc.getRunAsNonRoot();
                Long uid = sc.getRunAsUser() != null ? sc.getRunAsUser() : psc.getRunAsUser();
                String seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType()
                        : psc.getSeccompProfile() != null ? psc.getSeccompProfile().getType() : null;
                if (!Boolean.TRUE.equals(nonRoot)) {
                    problems.add(where + ": runAsNonRoot must be true");
                }
                if (uid == null || uid == 0) {
                    problems.add(where + ": runAsUser must be a fixed non-zero uid, is " + uid);
                } else if (Manifests.isApp(c) && uid != imageUid) {
                    problems.add(where + ": runAsUser " + uid + " differs from the image's USER " + imageUid);
                }
                if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                    problems.add(where + ": readOnlyRootFilesystem must be true");
                }
                if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    problems.add(where + ": allowPrivilegeEscalation must be false");
                }
                if (Boolean.TRUE.equals(sc.getPrivileged())) {
                    problems.add(where + ": privileged");
                }
                Capabilities caps = sc.getCapabilities();
                if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")
                        || (caps.getAdd() != null && !caps.getAdd().isEmpty())) {
                    problems.add(where + ": capabilities must drop ALL and add none");
                }
                if (!"RuntimeDefault".equals(seccomp)) {
                    problems.add(where + ": seccompProfile must be RuntimeDefault, is " + seccomp);
                }
                if (!writableTmp(pod, c)) {
                    problems.add(where + ": /tmp must be an emptyDir (the root filesystem is read-only)");
                }
            }
        }
        assertThat(problems).as(overlay + ": security contexts").isEmpty();
    }

    private static boolean writableTmp(PodSpec pod, Container c) {
        if (c.getVolumeMounts() == null) {
            return false;
        }
        for (VolumeMount mount : c.getVolumeMounts()) {
            if ("/tmp".equals(mount.getMountPath()) && !Boolean.TRUE.equals(mount.getReadOnly())) {
                for (Volume v : Objects.requireNonNullElse(pod.getVolumes(), List.<Volume>of())) {
                    if (v.getName().equals(mount.getName()) && v.getEmptyDir() != null) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // ---- images ------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("every image is pinned: a version tag (never latest) or a digest")
    void imagesPinned(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        for (Workload w : m.workloads()) {
            for (Container c : w.containers()) {
                String image = c.getImage();
                String tag = tagOf(image);
                boolean digest = image != null && image.matches(".+@sha256:[0-9a-f]{64}");
                if (!digest && (tag == null || tag.isBlank() || tag.equals("latest"))) {
                    problems.add(w.id() + "/" + c.getName() + ": image " + image + " is not pinned");
                }
                if ("Always".equals(c.getImagePullPolicy()) && !digest) {
                    problems.add(w.id() + "/" + c.getName() + ": imagePullPolicy Always with a tag");
                }
            }
        }
        assertThat(problems).as(overlay + ": images").isEmpty();
        if (overlay.equals("dev")) {
            // what docker-build.sh tags: the dev overlay must run the image a developer just built
            assertThat(m.workloads().stream().flatMap(w -> w.containers().stream()).filter(Manifests::isApp)
                    .map(c -> tagOf(c.getImage())).distinct().toList())
                    .as("dev: the auction image's tag (docker-build.sh tags the project version)")
                    .containsExactly(Repo.projectVersion());
        }
    }

    private static String tagOf(String image) {
        if (image == null) {
            return null;
        }
        String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = withoutDigest.lastIndexOf('/');
        int colon = withoutDigest.lastIndexOf(':');
        return colon > slash ? withoutDigest.substring(colon + 1) : null;
    }

    // ---- rollouts and shutdown -----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("Deployments roll with maxUnavailable 0; the StatefulSet rolls too")
    void rollingUpdatesKeepCapacity(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        for (Deployment d : m.all(Deployment.class)) {
            var strategy = d.getSpec().getStrategy();
            var rolling = strategy == null ? null : strategy.getRollingUpdate();
            String name = d.getMetadata().getName();
            if (strategy == null || !"RollingUpdate".equals(strategy.getType()) || rolling == null) {
                problems.add(name + ": strategy must be RollingUpdate with explicit parameters");
                continue;
            }
            if (!isZero(rolling.getMaxUnavailable())) {
                problems.add(name + ": maxUnavailable must be 0, is " + value(rolling.getMaxUnavailable()));
            }
            if (isZero(rolling.getMaxSurge())) {
                problems.add(name + ": maxSurge must be > 0 (with maxUnavailable 0 nothing could roll)");
            }
        }
        for (StatefulSet s : m.all(StatefulSet.class)) {
            var strategy = s.getSpec().getUpdateStrategy();
            if (strategy != null && !"RollingUpdate".equals(strategy.getType())) {
                problems.add(s.getMetadata().getName() + ": updateStrategy must be RollingUpdate");
            }
        }
        assertThat(m.all(Deployment.class)).as(overlay + " Deployments").hasSize(3);
        assertThat(problems).as(overlay + ": rolling updates").isEmpty();
    }

    private static boolean isZero(IntOrString v) {
        return v != null && (Integer.valueOf(0).equals(v.getIntVal()) || "0%".equals(v.getStrVal()));
    }

    private static Object value(IntOrString v) {
        return v == null ? null : v.getValue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("preStop + drain timeout + margin fit in terminationGracePeriodSeconds for every role")
    void gracePeriodCoversPreStopAndDrain(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        AuctionCode code = AuctionCode.get();
        List<String> problems = new ArrayList<>();
        for (String roleName : ROLES) {
            Workload w = m.roleWorkload(roleName);
            Container c = appContainer(w);
            Role role = code.role(roleName);
            Map<String, String> env = Manifests.values(m.environment(c, problems));
            Duration drain;
            String drainSource;
            if (role.option("--drain-timeout").isPresent()) {
                drain = Duration.parse(role.effective("--drain-timeout", env).orElseThrow());
                drainSource = role.envOf("--drain-timeout");
            } else {
                drain = code.wsCloseTimeout;
                drainSource = "WebSocketNodeConfig.closeTimeout";
            }
            Long preStop = preStopSeconds(c.getLifecycle() == null ? null : c.getLifecycle().getPreStop());
            Long grace = w.template().getSpec().getTerminationGracePeriodSeconds();
            if (preStop == null) {
                problems.add(w.id() + ": needs a preStop pause (sleep action, or exec sleep N)");
                continue;
            }
            if (grace == null) {
                problems.add(w.id() + ": needs terminationGracePeriodSeconds");
                continue;
            }
            Duration needed = Duration.ofSeconds(preStop).plus(drain).plus(GRACE_MARGIN);
            if (needed.compareTo(Duration.ofSeconds(grace)) > 0) {
                problems.add(w.id() + ": preStop " + preStop + " s + drain " + drain.toSeconds() + " s (" + drainSource
                        + ") + margin " + GRACE_MARGIN.toSeconds() + " s > terminationGracePeriodSeconds " + grace);
            }
        }
        assertThat(problems).as(overlay + ": grace periods").isEmpty();
    }

    private static Long preStopSeconds(LifecycleHandler preStop) {
        if (preStop == null) {
            return null;
        }
        if (preStop.getSleep() != null) {
            return preStop.getSleep().getSeconds();
        }
        if (preStop.getExec() != null && preStop.getExec().getCommand() != null) {
            List<String> cmd = preStop.getExec().getCommand();
            String joined = cmd.size() >= 3 && cmd.get(0).endsWith("sh") && cmd.get(1).equals("-c") ? cmd.get(2)
                    : String.join(" ", cmd);
            Matcher sleep = SLEEP_COMMAND.matcher(joined.trim());
            if (sleep.matches()) {
                return Long.parseLong(sleep.group(1));
            }
        }
        return null;
    }

    // ---- availability and scaling ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("every multi-replica Deployment has exactly one PodDisruptionBudget, selecting only it")
    void multiReplicaDeploymentsHaveDisruptionBudgets(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        List<PodDisruptionBudget> pdbs = m.all(PodDisruptionBudget.class);
        for (PodDisruptionBudget pdb : pdbs) {
            List<Workload> selected = m.selectedBy(pdb.getSpec().getSelector());
            if (selected.size() != 1) {
                problems.add("PodDisruptionBudget " + pdb.getMetadata().getName() + " selects "
                        + selected.stream().map(Workload::id).toList());
            }
        }
        for (Workload w : m.workloads()) {
            int replicas = m.effectiveReplicas(w);
            if (!w.kind().equals("Deployment") || replicas < 2) {
                continue;
            }
            List<PodDisruptionBudget> covering = pdbs.stream()
                    .filter(p -> Manifests.matches(p.getSpec().getSelector(), w.podLabels())).toList();
            if (covering.size() != 1) {
                problems.add(w.id() + " (" + replicas + " replicas): " + covering.size() + " PodDisruptionBudgets");
                continue;
            }
            var spec = covering.get(0).getSpec();
            boolean allowsOne = spec.getMaxUnavailable() != null
                    ? !isZero(spec.getMaxUnavailable())
                    : spec.getMinAvailable() != null && spec.getMinAvailable().getIntVal() != null
                            && spec.getMinAvailable().getIntVal() < replicas;
            if (!allowsOne) {
                problems.add(w.id() + ": its PodDisruptionBudget allows no disruption (node drains would block)");
            }
        }
        assertThat(problems).as(overlay + ": disruption budgets").isEmpty();
        if (overlay.equals("prod")) {
            assertThat(pdbs).as("prod PodDisruptionBudgets").hasSize(3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("replicas: one of each role in dev, at least two in prod")
    void replicaCounts(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String role : ROLES) {
            counts.put(role, m.effectiveReplicas(m.roleWorkload(role)));
        }
        if (overlay.equals("dev")) {
            assertThat(counts).as("dev replicas").containsOnly(Map.entry("api", 1), Map.entry("worker", 1),
                    Map.entry("ws", 1));
            assertThat(m.all(HorizontalPodAutoscaler.class)).as("dev autoscalers").isEmpty();
        } else {
            assertThat(counts.values()).as(overlay + " replicas " + counts).allSatisfy(n -> assertThat(n)
                    .isGreaterThanOrEqualTo(2));
        }
    }

    @Test
    @DisplayName("prod: an autoscaler owns the workers' count (CPU), and the Deployment leaves it alone")
    void workersAutoscaleInProd() {
        Manifests m = Manifests.overlay("prod");
        List<HorizontalPodAutoscaler> hpas = m.all(HorizontalPodAutoscaler.class);
        assertThat(hpas).as("prod autoscalers").hasSize(1);
        HorizontalPodAutoscaler hpa = hpas.get(0);
        var target = hpa.getSpec().getScaleTargetRef();
        assertThat(target.getKind() + "/" + target.getName()).isEqualTo("Deployment/auction-worker");
        assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
        Workload worker = m.workload("Deployment/auction-worker");
        assertThat(worker.replicas()).as("spec.replicas of a Deployment the autoscaler scales (apply would reset it)")
                .isNull();
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2)
                .isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
        List<MetricSpec> cpu = hpa.getSpec().getMetrics().stream()
                .filter(s -> "Resource".equals(s.getType()) && "cpu".equals(s.getResource().getName())).toList();
        assertThat(cpu).as("CPU metric").hasSize(1);
        assertThat(cpu.get(0).getResource().getTarget().getAverageUtilization()).isBetween(1, 100);
        assertThat(worker.containers()).as("CPU utilization needs CPU requests").allSatisfy(c ->
                assertThat(c.getResources().getRequests()).containsKey("cpu"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("every Deployment spreads its pods across nodes")
    void topologySpread(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<String> problems = new ArrayList<>();
        for (Workload w : m.workloads()) {
            if (!w.kind().equals("Deployment")) {
                continue;
            }
            List<TopologySpreadConstraint> constraints = Objects.requireNonNullElse(
                    w.template().getSpec().getTopologySpreadConstraints(), List.of());
            boolean spread = constraints.stream().anyMatch(t -> HOSTNAME.equals(t.getTopologyKey())
                    && t.getMaxSkew() != null && t.getMaxSkew() >= 1
                    && Manifests.matches(t.getLabelSelector(), w.podLabels())
                    && m.selectedBy(t.getLabelSelector()).size() == 1);
            if (!spread) {
                problems.add(w.id() + ": needs a topologySpreadConstraint on " + HOSTNAME
                        + " selecting its own pods");
            }
        }
        assertThat(problems).as(overlay + ": topology spread").isEmpty();
    }

    // ---- edge and observability ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("the Ingress routes every API route and /ws, and never /health or /metrics")
    void ingressRoutes(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        AuctionCode code = AuctionCode.get();
        List<Ingress> ingresses = m.all(Ingress.class);
        assertThat(ingresses).as(overlay + " Ingresses").hasSize(1);
        Ingress ingress = ingresses.get(0);
        List<String> problems = new ArrayList<>();
        Workload api = m.roleWorkload("api");
        Workload ws = m.roleWorkload("ws");
        for (String route : code.apiRoutes) {
            String sample = route.replaceAll("\\{[^}]+}", "x");
            expectRoute(m, ingress, sample, api, problems);
        }
        Map<String, String> apiEnv = Manifests.values(m.environment(appContainer(api), problems));
        List<String> websockets = List.of(code.role("api").effective("--websockets", apiEnv).orElseThrow().split(","));
        for (String url : websockets) {
            if (!url.startsWith("/")) {
                problems.add("AUCTION_WEBSOCKETS " + url + ": behind the Ingress the page must get a path (/ws)");
                continue;
            }
            if (!url.equals(code.wsPath)) {
                problems.add("AUCTION_WEBSOCKETS " + url + " is not the path the websocket nodes serve, " + code.wsPath);
            }
            expectRoute(m, ingress, url, ws, problems);
        }
        for (String ops : code.opsPaths) {
            route(ingress, ops).ifPresent(p -> problems.add(ops + " is exposed by the Ingress (path " + p.getPath()
                    + "): operational routes stay inside the cluster"));
        }
        assertThat(ingress.getSpec().getIngressClassName()).as("ingressClassName").isNotBlank();
        assertThat(problems).as(overlay + ": Ingress").isEmpty();
    }

    private static void expectRoute(Manifests m, Ingress ingress, String path, Workload expected,
            List<String> problems) {
        Optional<HTTPIngressPath> match = route(ingress, path);
        if (match.isEmpty()) {
            problems.add(path + " is not routed by the Ingress (to " + expected.id() + ")");
            return;
        }
        IngressServiceBackend backend = match.get().getBackend().getService();
        Optional<Service> svc = backend == null ? Optional.empty() : m.service(backend.getName());
        if (svc.isEmpty()) {
            problems.add(path + ": the Ingress' backend Service " + (backend == null ? null : backend.getName())
                    + " does not exist");
            return;
        }
        List<String> selected = m.selectedBy(svc.get().getSpec().getSelector()).stream().map(Workload::id).toList();
        Optional<ServicePort> port = svc.get().getSpec().getPorts().stream().filter(p ->
                backend.getPort().getName() != null ? backend.getPort().getName().equals(p.getName())
                        : Objects.equals(backend.getPort().getNumber(), p.getPort())).findFirst();
        Optional<ContainerPort> cp = port.flatMap(p -> expected.port(
                p.getTargetPort() == null ? new IntOrString(p.getPort()) : p.getTargetPort()));
        if (!selected.equals(List.of(expected.id())) || cp.isEmpty() || !"http".equals(cp.get().getName())) {
            problems.add(path + ": routed to Service " + backend.getName() + " (selects " + selected
                    + "), not to the HTTP port of " + expected.id());
        }
    }

    /** The Ingress path a request path takes: an Exact match first, then the longest Prefix (element-wise). */
    private static Optional<HTTPIngressPath> route(Ingress ingress, String path) {
        List<HTTPIngressPath> paths = new ArrayList<>();
        for (IngressRule rule : Objects.requireNonNullElse(ingress.getSpec().getRules(), List.<IngressRule>of())) {
            if (rule.getHttp() != null) {
                paths.addAll(rule.getHttp().getPaths());
            }
        }
        Optional<HTTPIngressPath> exact = paths.stream()
                .filter(p -> "Exact".equals(p.getPathType()) && path.equals(p.getPath())).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        return paths.stream()
                .filter(p -> "Prefix".equals(p.getPathType()) && prefixMatches(p.getPath(), path))
                .max(Comparator.comparingInt(p -> p.getPath().length()));
    }

    private static boolean prefixMatches(String prefix, String path) {
        String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return p.isEmpty() || path.equals(p) || path.startsWith(p + "/");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("Prometheus scrape annotations name /metrics on each role's HTTP port")
    void prometheusScrapeAnnotations(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        AuctionCode code = AuctionCode.get();
        List<String> problems = new ArrayList<>();
        for (Workload w : m.workloads()) {
            Map<String, String> annotations = w.template().getMetadata().getAnnotations() == null ? Map.of()
                    : w.template().getMetadata().getAnnotations();
            boolean app = w.role().isPresent();
            if (!"true".equals(annotations.get("prometheus.io/scrape"))) {
                if (app) {
                    problems.add(w.id() + ": prometheus.io/scrape must be \"true\"");
                }
                continue;
            }
            String path = annotations.get("prometheus.io/path");
            if (path == null || !code.opsPaths.contains(path) || !path.equals("/metrics")) {
                problems.add(w.id() + ": prometheus.io/path " + path + " is not /metrics");
            }
            String port = annotations.get("prometheus.io/port");
            Optional<ContainerPort> http = w.portNamed("http");
            if (port == null || http.isEmpty() || !port.equals(String.valueOf(http.get().getContainerPort()))) {
                problems.add(w.id() + ": prometheus.io/port " + port + " is not the HTTP container port "
                        + http.map(ContainerPort::getContainerPort).orElse(null));
            }
        }
        assertThat(problems).as(overlay + ": scrape annotations").isEmpty();
    }

    // ---- network policies --------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "prod"})
    @DisplayName("NetworkPolicies cover every container port and admit exactly the intended peers")
    void networkPoliciesCoverEveryPort(String overlay) {
        Manifests m = Manifests.overlay(overlay);
        List<NetworkPolicy> policies = m.all(NetworkPolicy.class);
        List<String> problems = new ArrayList<>();
        assertThat(policies.stream().filter(p -> p.getSpec().getPodSelector() != null
                && m.selectedBy(p.getSpec().getPodSelector()).size() == m.workloads().size()
                && (p.getSpec().getIngress() == null || p.getSpec().getIngress().isEmpty())))
                .as(overlay + ": a default-deny ingress policy selecting every pod").isNotEmpty();
        Set<String> covered = new TreeSet<>();
        for (Workload w : m.workloads()) {
            List<NetworkPolicy> selecting = policies.stream().filter(p -> ingressPolicy(p)
                    && Manifests.matches(p.getSpec().getPodSelector(), w.podLabels())).toList();
            for (ContainerPort port : w.ports()) {
                String key = w.id() + ":" + port.getName();
                Reach expected = NETWORK.get(key);
                if (expected == null) {
                    problems.add(key + ": no expectation in this test for who may reach this port: add one");
                    continue;
                }
                Set<String> workloads = new TreeSet<>();
                Set<String> namespaces = new TreeSet<>();
                for (NetworkPolicy p : selecting) {
                    for (NetworkPolicyIngressRule rule : Objects.requireNonNullElse(p.getSpec().getIngress(),
                            List.<NetworkPolicyIngressRule>of())) {
                        String where = "NetworkPolicy " + p.getMetadata().getName();
                        if (rule.getPorts() == null || rule.getPorts().isEmpty()) {
                            problems.add(where + ": a rule without ports admits every port of " + w.id());
                            continue;
                        }
                        if (rule.getPorts().stream().noneMatch(np -> admits(np, port))) {
                            continue;
                        }
                        if (rule.getFrom() == null || rule.getFrom().isEmpty()) {
                            problems.add(where + ": " + key + " is open to every source");
                            continue;
                        }
                        for (NetworkPolicyPeer peer : rule.getFrom()) {
                            peer(m, where, peer, workloads, namespaces, problems);
                        }
                    }
                }
                Reach actual = new Reach(workloads, namespaces);
                if (workloads.isEmpty() && namespaces.isEmpty()) {
                    problems.add(key + ": no policy admits anyone to this port");
                } else if (!actual.equals(expected)) {
                    problems.add(key + ": reachable from " + actual + ", expected " + expected);
                }
                covered.add(key);
            }
        }
        assertThat(covered).as(overlay + ": ports checked").isEqualTo(NETWORK.keySet());
        assertThat(problems).as(overlay + ": network policies").isEmpty();
    }

    private static boolean ingressPolicy(NetworkPolicy p) {
        List<String> types = p.getSpec().getPolicyTypes();
        return types == null || types.isEmpty() ? true : types.contains("Ingress");
    }

    private static boolean admits(NetworkPolicyPort np, ContainerPort port) {
        if (!Objects.equals(protocol(np.getProtocol()), protocol(port.getProtocol()))) {
            return false;
        }
        IntOrString p = np.getPort();
        if (p == null) {
            return true;
        }
        if (p.getStrVal() != null) {
            return p.getStrVal().equals(port.getName());
        }
        int from = p.getIntVal();
        int to = np.getEndPort() == null ? from : np.getEndPort();
        return port.getContainerPort() >= from && port.getContainerPort() <= to;
    }

    private static void peer(Manifests m, String where, NetworkPolicyPeer peer, Set<String> workloads,
            Set<String> namespaces, List<String> problems) {
        if (peer.getIpBlock() != null) {
            problems.add(where + ": ipBlock peers are not expected (" + peer.getIpBlock().getCidr() + ")");
            return;
        }
        if (peer.getNamespaceSelector() != null) {
            Map<String, String> labels = peer.getNamespaceSelector().getMatchLabels();
            String name = labels == null ? null : labels.get("kubernetes.io/metadata.name");
            if (name == null || labels.size() != 1 || peer.getNamespaceSelector().getMatchExpressions() != null
                    && !peer.getNamespaceSelector().getMatchExpressions().isEmpty()) {
                problems.add(where + ": a namespace peer must name one namespace by kubernetes.io/metadata.name: "
                        + peer.getNamespaceSelector());
                return;
            }
            if (peer.getPodSelector() != null) {
                problems.add(where + ": namespace " + name + " restricted to some pods is not expected");
                return;
            }
            namespaces.add(name);
            return;
        }
        if (peer.getPodSelector() != null) {
            List<Workload> selected = m.selectedBy(peer.getPodSelector());
            if (selected.isEmpty()) {
                problems.add(where + ": a pod peer selects no workload: " + peer.getPodSelector());
            }
            selected.forEach(w -> workloads.add(w.id()));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static Container appContainer(Workload w) {
        return w.template().getSpec().getContainers().stream().filter(Manifests::isApp).findFirst()
                .orElseThrow(() -> new AssertionError(w.id() + " runs no " + Manifests.APP_IMAGE + " container"));
    }

    private static String protocol(String protocol) {
        return protocol == null ? "TCP" : protocol;
    }

    private static String portList(Workload w) {
        return w.ports().stream().map(p -> p.getName() + "=" + p.getContainerPort()).toList().toString();
    }
}
