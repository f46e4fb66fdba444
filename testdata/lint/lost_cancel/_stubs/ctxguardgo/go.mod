module ctxguard.dev/go

go 1.22
