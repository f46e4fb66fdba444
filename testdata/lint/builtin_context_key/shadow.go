package builtincontextkey

import "context"

// A local variable shadows a package-level named-type constant.
const shadowKey ctxKey = "shadow"

func shadowedByString(ctx context.Context) context.Context {
	shadowKey := "plain"
	return context.WithValue(ctx, shadowKey, 1) // want `CG301 .*key shadowKey has built-in type string`
}

// ok: the package-level named-type constant.
func okPkgNamed(ctx context.Context) context.Context {
	return context.WithValue(ctx, shadowKey, 1) // ok: ctxKey constant
}

// ok: a local variable of a named type shadows a string constant.
func okShadowedByNamed(ctx context.Context) context.Context {
	sessionKey := ctxKey("session")
	return context.WithValue(ctx, sessionKey, 1) // ok: the local sessionKey is a ctxKey
}

// ok: a local function named like a built-in conversion.
func okLocalFunc(ctx context.Context) context.Context {
	string := func(v int) userKey { return userKey{} }
	return context.WithValue(ctx, string(1), 1) // ok: the local string returns userKey
}

// Inside a closure.
func closure(ctx context.Context) func() context.Context {
	return func() context.Context {
		return context.WithValue(ctx, "closure", 1) // want `CG301 .*"closure"`
	}
}

// ok: some other WithValue.
type bag struct{}

func (bag) WithValue(ctx context.Context, k, v any) context.Context { return ctx }

func okOtherWithValue(ctx context.Context) context.Context {
	var b bag
	return b.WithValue(ctx, "k", 1) // ok: not context.WithValue
}
