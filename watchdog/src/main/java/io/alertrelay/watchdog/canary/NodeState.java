package io.alertrelay.watchdog.canary;

/** Whether canaries come back on one subscriber node. */
public enum NodeState {
    /** Expected, but no canary round has come back on it yet (start-up, or a node just named by the app). */
    PENDING,
    /** The last canary round came back in time. */
    OK,
    /** One round missed: the source was asked to resubscribe. */
    SUSPECT,
    /** Two or more consecutive rounds missed: a critical relay-health alert is raised until a canary comes back. */
    FAILED
}
