package builtincontextkey

import "context"

// Package-level untyped constant.
const sessionKey = "session"

// Package-level typed constant and variable.
const tenantKey string = "tenant"

var localeKey = "locale"

var regionKey string

// iota block with an untyped first constant: every constant is an int.
const (
	firstKey = iota
	secondKey
)

// iota block with a named type: every constant has the named type.
type fieldKey int

const (
	nameKey fieldKey = iota
	ageKey
)

// An alias of a built-in type is that type.
type aliasKey = string

const aliasedKey aliasKey = "aliased"

func pkgUntypedConst(ctx context.Context) context.Context {
	return context.WithValue(ctx, sessionKey, 1) // want `CG301 .*key sessionKey has built-in type string`
}

func pkgTypedConst(ctx context.Context) context.Context {
	return context.WithValue(ctx, tenantKey, 1) // want `CG301 .*key tenantKey has built-in type string`
}

func pkgUntypedVar(ctx context.Context) context.Context {
	return context.WithValue(ctx, localeKey, 1) // want `CG301 .*key localeKey has built-in type string`
}

func pkgTypedVar(ctx context.Context) context.Context {
	return context.WithValue(ctx, regionKey, 1) // want `CG301 .*key regionKey has built-in type string`
}

func iotaInherited(ctx context.Context) context.Context {
	return context.WithValue(ctx, secondKey, 1) // want `CG301 .*key secondKey has built-in type int`
}

func aliasType(ctx context.Context) context.Context {
	return context.WithValue(ctx, aliasedKey, 1) // want `CG301 .*key aliasedKey has built-in type string`
}

func aliasConversion(ctx context.Context) context.Context {
	return context.WithValue(ctx, aliasKey("x"), 1) // want `CG301 .*has built-in type string`
}

// Local constants and variables.
func localConst(ctx context.Context) context.Context {
	const k = "local"
	return context.WithValue(ctx, k, 1) // want `CG301 .*key k has built-in type string`
}

func localVar(ctx context.Context) context.Context {
	k := 7
	return context.WithValue(ctx, k, 1) // want `CG301 .*key k has built-in type int`
}

func localTypedVar(ctx context.Context) context.Context {
	var k int64 = 7
	return context.WithValue(ctx, k, 1) // want `CG301 .*key k has built-in type int64`
}

// A helper that takes the key as a string parameter.
func withString(ctx context.Context, key string, v any) context.Context {
	return context.WithValue(ctx, key, v) // want `CG301 .*key key has built-in type string`
}

// A struct field of a built-in type.
type keyed struct{ key string }

func (k keyed) with(ctx context.Context) context.Context {
	return context.WithValue(ctx, k.key, 1) // want `CG301 .*key k\.key has built-in type string`
}

// ok: named-type constants from an iota block.
func okIotaNamed(ctx context.Context) context.Context {
	return context.WithValue(ctx, ageKey, 1) // ok: fieldKey is a named type
}

// ok: a named-type local constant.
func okLocalNamed(ctx context.Context) context.Context {
	const k ctxKey = "k"
	return context.WithValue(ctx, k, 1) // ok: ctxKey is a named type
}

// ok: a local named type with a built-in underlying type.
func okLocalType(ctx context.Context) context.Context {
	type localKey string
	return context.WithValue(ctx, localKey("x"), 1) // ok: local named type
}

// ok: a key of interface type: its dynamic type is not visible here.
func okAnyKey(ctx context.Context, key any) context.Context {
	return context.WithValue(ctx, key, 1) // ok: static type any
}

// ok: a key of a type parameter.
func okGeneric[K comparable](ctx context.Context, key K) context.Context {
	return context.WithValue(ctx, key, 1) // ok: type parameter
}

// ok: a key from a range loop: its type is not established.
func okRange(ctx context.Context, keys []ctxKey) context.Context {
	for _, k := range keys {
		ctx = context.WithValue(ctx, k, 1) // ok: range variable of unknown type
	}
	return ctx
}

// ok: a conversion to any.
func okConvertAny(ctx context.Context) context.Context {
	return context.WithValue(ctx, any(userKey{}), 1) // ok: interface conversion
}

// ok: a function result of unknown type.
func keyFor(name string) ctxKey { return ctxKey(name) }

func okCall(ctx context.Context) context.Context {
	return context.WithValue(ctx, keyFor("x"), 1) // ok: a call, not a built-in
}
