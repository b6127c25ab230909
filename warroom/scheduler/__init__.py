"""Due work (triage, update ticks, deadlines, digests) claimed with a lease by any worker."""
