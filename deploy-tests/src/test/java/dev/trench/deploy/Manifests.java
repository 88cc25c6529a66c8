package dev.trench.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One overlay rendered by {@code kubectl kustomize} and parsed into fabric8's typed model, with the look-ups the
 * checks share: workloads and their pod templates, label selectors, a container's effective environment, ports.
 */
final class Manifests {
    static final String APP_IMAGE = "trench/auction";

    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();

    /** A Deployment or a StatefulSet: what owns pods. */
    record Workload(String kind, String name, HasMetadata object, PodTemplateSpec template, LabelSelector selector,
            Integer replicas) {
        String id() {
            return kind + "/" + name;
        }

        Map<String, String> podLabels() {
            Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
            return labels == null ? Map.of() : labels;
        }

        List<Container> containers() {
            List<Container> all = new ArrayList<>(template.getSpec().getContainers());
            if (template.getSpec().getInitContainers() != null) {
                all.addAll(template.getSpec().getInitContainers());
            }
            return all;
        }

        List<ContainerPort> ports() {
            List<ContainerPort> ports = new ArrayList<>();
            for (Container c : template.getSpec().getContainers()) {
                if (c.getPorts() != null) {
                    ports.addAll(c.getPorts());
                }
            }
            return ports;
        }

        /** The container port a Service, probe or policy names (by number or by name). */
        Optional<ContainerPort> port(IntOrString ref) {
            if (ref == null) {
                return Optional.empty();
            }
            return ports().stream()
                    .filter(p -> ref.getIntVal() != null ? Objects.equals(p.getContainerPort(), ref.getIntVal())
                            : Objects.equals(p.getName(), ref.getStrVal()))
                    .findFirst();
        }

        Optional<ContainerPort> portNamed(String name) {
            return ports().stream().filter(p -> name.equals(p.getName())).findFirst();
        }

        /** The role an auction container runs: its first argument. */
        Optional<String> role() {
            return template.getSpec().getContainers().stream()
                    .filter(Manifests::isApp)
                    .map(c -> c.getArgs() == null || c.getArgs().isEmpty() ? null : c.getArgs().get(0))
                    .filter(Objects::nonNull)
                    .findFirst();
        }
    }

    /** One environment variable a container gets, and where from. */
    record EnvValue(String name, String value, String source) {
    }

    final String overlay;
    final String yaml;
    final List<HasMetadata> objects;

    private Manifests(String overlay, String yaml, List<HasMetadata> objects) {
        this.overlay = overlay;
        this.yaml = yaml;
        this.objects = objects;
    }

    /** The overlay {@code k8s/overlays/<name>}, rendered once per test run. */
    static Manifests overlay(String name) {
        return RENDERED.computeIfAbsent(name, Manifests::render);
    }

    private static Manifests render(String overlay) {
        Path dir = Repo.path("k8s/overlays/" + overlay);
        String yaml = kubectl("kustomize", dir.toString());
        Object parsed = new KubernetesSerialization().unmarshal(yaml);
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            for (Object o : list) {
                objects.add((HasMetadata) o);
            }
        } else if (parsed instanceof HasMetadata single) {
            objects.add(single);
        } else {
            throw new AssertionError("kubectl kustomize " + dir + " rendered no Kubernetes object: " + parsed);
        }
        return new Manifests(overlay, yaml, List.copyOf(objects));
    }

    /** Runs kubectl (the system property deploy.kubectl, else kubectl on the PATH); fails the test when it cannot. */
    static String kubectl(String... args) {
        String kubectl = System.getProperty("deploy.kubectl", "kubectl");
        List<String> command = new ArrayList<>();
        command.add(kubectl);
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new AssertionError("Cannot run '" + kubectl + "' (" + e.getMessage() + "). The manifest tests need"
                    + " kubectl v1.27 or later (built-in kustomize v5) on the PATH, or -Dkubectl=/path/to/kubectl;"
                    + " they never skip.", e);
        }
        try {
            process.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copy(process.getErrorStream(), err), "kubectl-stderr");
            errReader.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            copy(process.getInputStream(), out);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
            }
            errReader.join(5_000);
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n"
                        + err.toString(StandardCharsets.UTF_8));
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while running " + command, e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            out.writeBytes(("<" + e.getMessage() + ">").getBytes(StandardCharsets.UTF_8));
        }
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    /** The one Namespace object of the overlay. */
    Namespace namespace() {
        List<Namespace> namespaces = all(Namespace.class);
        if (namespaces.size() != 1) {
            throw new AssertionError(overlay + ": expected exactly one Namespace, found " + namespaces.size());
        }
        return namespaces.get(0);
    }

    List<Workload> workloads() {
        List<Workload> workloads = new ArrayList<>();
        for (Deployment d : all(Deployment.class)) {
            workloads.add(new Workload("Deployment", d.getMetadata().getName(), d, d.getSpec().getTemplate(),
                    d.getSpec().getSelector(), d.getSpec().getReplicas()));
        }
        for (StatefulSet s : all(StatefulSet.class)) {
            workloads.add(new Workload("StatefulSet", s.getMetadata().getName(), s, s.getSpec().getTemplate(),
                    s.getSpec().getSelector(), s.getSpec().getReplicas()));
        }
        return workloads;
    }

    Workload workload(String id) {
        return workloads().stream().filter(w -> w.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no " + id));
    }

    /** The Deployment running an auction role (its container's first argument). */
    Workload roleWorkload(String role) {
        List<Workload> running = workloads().stream().filter(w -> w.role().filter(role::equals).isPresent()).toList();
        if (running.size() != 1) {
            throw new AssertionError(overlay + ": expected one workload running the role " + role + ", found "
                    + running.stream().map(Workload::id).toList());
        }
        return running.get(0);
    }

    /** The workloads whose pods a Service's selector picks. */
    List<Workload> selectedBy(Map<String, String> selector) {
        if (selector == null || selector.isEmpty()) {
            return List.of();
        }
        return workloads().stream().filter(w -> matches(selector, w.podLabels())).toList();
    }

    List<Workload> selectedBy(LabelSelector selector) {
        return workloads().stream().filter(w -> matches(selector, w.podLabels())).toList();
    }

    /**
     * The replica count a workload runs with: a HorizontalPodAutoscaler's minimum when one scales it, else its
     * {@code replicas} (1 when absent, as the API server defaults it).
     */
    int effectiveReplicas(Workload w) {
        for (HorizontalPodAutoscaler hpa : all(HorizontalPodAutoscaler.class)) {
            var target = hpa.getSpec().getScaleTargetRef();
            if (target != null && w.kind().equals(target.getKind()) && w.name().equals(target.getName())) {
                Integer min = hpa.getSpec().getMinReplicas();
                return min == null ? 1 : min;
            }
        }
        return w.replicas() == null ? 1 : w.replicas();
    }

    /**
     * A container's environment as the kubelet builds it: {@code envFrom} in order, then {@code env} (which wins).
     * Values from fieldRef/resourceFieldRef are {@code null}; a reference to a missing ConfigMap, Secret or key is
     * reported in {@code problems}.
     */
    Map<String, EnvValue> environment(Container c, List<String> problems) {
        Map<String, EnvValue> env = new LinkedHashMap<>();
        String where = c.getName();
        if (c.getEnvFrom() != null) {
            for (EnvFromSource from : c.getEnvFrom()) {
                String prefix = from.getPrefix() == null ? "" : from.getPrefix();
                if (from.getConfigMapRef() != null) {
                    String name = from.getConfigMapRef().getName();
                    Optional<ConfigMap> cm = find(ConfigMap.class, name);
                    if (cm.isEmpty()) {
                        problems.add(where + ": envFrom ConfigMap " + name + " is not in the overlay");
                        continue;
                    }
                    configMapData(cm.get()).forEach((k, v) ->
                            env.put(prefix + k, new EnvValue(prefix + k, v, "ConfigMap " + name)));
                } else if (from.getSecretRef() != null) {
                    String name = from.getSecretRef().getName();
                    Optional<Secret> secret = find(Secret.class, name);
                    if (secret.isEmpty()) {
                        problems.add(where + ": envFrom Secret " + name + " is not in the overlay");
                        continue;
                    }
                    secretData(secret.get()).forEach((k, v) ->
                            env.put(prefix + k, new EnvValue(prefix + k, v, "Secret " + name)));
                }
            }
        }
        if (c.getEnv() != null) {
            for (EnvVar var : c.getEnv()) {
                String name = var.getName();
                if (var.getValueFrom() == null) {
                    env.put(name, new EnvValue(name, var.getValue() == null ? "" : var.getValue(), "literal"));
                    continue;
                }
                var from = var.getValueFrom();
                if (from.getConfigMapKeyRef() != null) {
                    String cmName = from.getConfigMapKeyRef().getName();
                    String key = from.getConfigMapKeyRef().getKey();
                    String value = find(ConfigMap.class, cmName).map(Manifests::configMapData).map(d -> d.get(key))
                            .orElse(null);
                    if (value == null) {
                        problems.add(where + ": " + name + " refers to ConfigMap " + cmName + " key " + key
                                + ", which the overlay does not define");
                    }
                    env.put(name, new EnvValue(name, value, "ConfigMap " + cmName));
                } else if (from.getSecretKeyRef() != null) {
                    String secretName = from.getSecretKeyRef().getName();
                    String key = from.getSecretKeyRef().getKey();
                    String value = find(Secret.class, secretName).map(Manifests::secretData).map(d -> d.get(key))
                            .orElse(null);
                    if (value == null) {
                        problems.add(where + ": " + name + " refers to Secret " + secretName + " key " + key
                                + ", which the overlay does not define");
                    }
                    env.put(name, new EnvValue(name, value, "Secret " + secretName));
                } else {
                    env.put(name, new EnvValue(name, null, "fieldRef"));
                }
            }
        }
        return env;
    }

    /** The environment's values by name (for the CLI's defaults logic). */
    static Map<String, String> values(Map<String, EnvValue> env) {
        Map<String, String> values = new LinkedHashMap<>();
        env.forEach((k, v) -> values.put(k, v.value()));
        return values;
    }

    static Map<String, String> configMapData(ConfigMap cm) {
        return cm.getData() == null ? Map.of() : cm.getData();
    }

    static Map<String, String> secretData(Secret secret) {
        Map<String, String> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) ->
                    data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            data.putAll(secret.getStringData());
        }
        return data;
    }

    Optional<Service> service(String name) {
        return find(Service.class, name);
    }

    static boolean isApp(Container c) {
        return c.getImage() != null && (c.getImage().equals(APP_IMAGE) || c.getImage().startsWith(APP_IMAGE + ":")
                || c.getImage().startsWith(APP_IMAGE + "@"));
    }

    static boolean isHeadless(Service s) {
        return "None".equals(s.getSpec().getClusterIP());
    }

    /** A Service-style selector (all pairs present). An empty selector matches nothing here. */
    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        if (selector == null || selector.isEmpty()) {
            return false;
        }
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** A LabelSelector (matchLabels and matchExpressions); an empty one matches every pod, as in Kubernetes. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && values.contains(value);
                    case "NotIn" -> value == null || !values.contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> throw new AssertionError("Unknown selector operator " + r.getOperator());
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    static String describe(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getName();
    }
}
