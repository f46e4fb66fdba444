module ctxguard.bench/tracegen

go 1.22
