module ctxguard.test/runtime/gen/durable

go 1.25
