package io.alertrelay.source.redis;

/** A data node's role as the source last saw it ({@code ROLE} on the node, or Sentinel's lists). */
public enum NodeRole {
    MASTER,
    REPLICA,
    /** Not known yet (standalone mode, no answer yet, or an answer we could not read). */
    UNKNOWN
}
