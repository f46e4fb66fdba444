module ctxguard.dev/crashlab

go 1.22
