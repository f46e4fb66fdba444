module fixture

go 1.26

require ctxguard.dev/go v0.0.0

replace ctxguard.dev/go => ./_stubs/ctxguardgo
