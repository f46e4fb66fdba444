module ctxguard.test/tracewriter

go 1.22
