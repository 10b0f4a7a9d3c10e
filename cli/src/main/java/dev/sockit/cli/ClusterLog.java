package dev.sockit.cli;

import dev.sockit.cluster.Broker;

/**
 * Says when the link to the cluster goes down and comes back: once each way, with what it
 * means for the clients (this node's own go on being served) and what was lost meanwhile.
 */
final class ClusterLog implements Broker.LinkListener {

    private final EventLog log;
    private final Broker broker;

    ClusterLog(EventLog log, Broker broker) {
        this.log = log;
        this.broker = broker;
    }

    @Override
    public void linkDown(String why) {
        log.warn("cluster_down", "sockit: cluster link down: " + why + "; serving this node's clients only, and counting"
                + " what cannot cross (/nodes); reconnecting by itself", "node", broker.node(), "reason", why);
    }

    @Override
    public void linkUp(long unsent) {
        log.notice("cluster_up", "sockit: cluster link back up; " + unsent + (unsent == 1 ? " message" : " messages")
                + " could not cross meanwhile and are lost (Redis pub/sub delivers at most once)", "node", broker.node(),
                "unsent", unsent);
    }
}
