// vigild: the Vigil daemon, one per node. Grows with the daemon issue.
print("vigild: not yet")
