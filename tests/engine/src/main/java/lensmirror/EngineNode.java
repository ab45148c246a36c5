package lensmirror;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.join.ParentJoinPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this JVM, with the distribution's modules that our
 * mappings and queries need loaded from the classpath (Maven jars) rather than
 * from a modules/ directory.
 *
 * Usage: java -cp classes:lib/* lensmirror.EngineNode key=value ...
 * where every argument is a node setting (path.home, http.port, ...).
 * Without discovery.seed_hosts it is a single-node cluster. It runs until the
 * JVM is told to stop (SIGTERM / Ctrl-C), closing the node cleanly; with
 * -Dlensmirror.exitOnStdinEof=true it also stops when its stdin closes (the
 * launching process went away).
 */
public final class EngineNode extends Node {

    static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        MapperExtrasPlugin.class,
        PainlessPlugin.class,
        ParentJoinPlugin.class,
        ReindexPlugin.class
    );

    private EngineNode(Environment environment) {
        super(environment, MODULES, true);
    }

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder()
            .put("network.host", "127.0.0.1")
            .put("cluster.name", "lens-mirror-test")
            .put("node.name", "node-0");
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("EngineNode: arguments are node settings, key=value; got: " + arg);
                System.exit(2);
            }
            builder.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        if (builder.get("discovery.seed_hosts") == null && builder.get("discovery.type") == null) {
            builder.put("discovery.type", "single-node");
        }
        Settings settings = builder.build();
        if (!settings.hasValue("path.home")) {
            System.err.println("EngineNode: path.home=DIR is required");
            System.exit(2);
        }
        // Logging comes from log4j2.properties on the classpath (stdout, INFO).
        LogConfigurator.setNodeName(settings.get("node.name"));

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), null, () -> settings.get("node.name"));
        EngineNode node = new EngineNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "engine-node-shutdown"));
        if (Boolean.getBoolean("lensmirror.exitOnStdinEof")) {
            // The launcher holds our stdin open: when it dies, however it dies, so do we.
            Thread watchdog = new Thread(() -> {
                try {
                    while (System.in.read() != -1) {
                        // ignore input; wait for end of file
                    }
                } catch (Exception e) {
                    // a broken pipe means the same thing
                }
                System.exit(0);
            }, "engine-node-parent-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        try {
            node.start();
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);  // the shutdown hook closes whatever had started
        }
        System.out.println("EngineNode started: " + settings.get("node.name"));
        System.out.flush();
        stopped.await();
    }
}
