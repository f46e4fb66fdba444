module ctxguard.test/runtime/gen

go 1.19
