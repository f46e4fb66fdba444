"""Runtime evidence: decoders for goroutine dumps, pprof profiles and schedtrace, into one Snapshot."""
