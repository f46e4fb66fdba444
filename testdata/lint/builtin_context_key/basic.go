package builtincontextkey

import (
	"context"
	"net/http"
)

// Literal keys.
func stringLiteral(ctx context.Context) context.Context {
	return context.WithValue(ctx, "user", 1) // want `CG301 context\.WithValue key "user" has built-in type string`
}

func rawLiteral(ctx context.Context) context.Context {
	return context.WithValue(ctx, `trace`, 1) // want `CG301 .*key .trace. has built-in type string`
}

func intLiteral(ctx context.Context) context.Context {
	return context.WithValue(ctx, 42, "x") // want `CG301 .*key 42 has built-in type int`
}

func floatLiteral(ctx context.Context) context.Context {
	return context.WithValue(ctx, 1.5, "x") // want `CG301 .*has built-in type float64`
}

func runeLiteral(ctx context.Context) context.Context {
	return context.WithValue(ctx, 'k', "x") // want `CG301 .*has built-in type rune`
}

func boolLiteral(ctx context.Context) context.Context {
	return context.WithValue(ctx, true, "x") // want `CG301 .*has built-in type bool`
}

// A conversion to a built-in type.
func conversion(ctx context.Context, b []byte) context.Context {
	return context.WithValue(ctx, string(b), 1) // want `CG301 .*key string\(b\) has built-in type string`
}

// A concatenation of strings.
func concat(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, "user:"+name, 1) // want `CG301 .*has built-in type string`
}

// Inside a handler, parenthesised.
func middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), ("request-id"), "abc") // want `CG301 .*has built-in type string`
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type userKey struct{}

// ok: a struct key type.
func okStructKey(ctx context.Context) context.Context {
	return context.WithValue(ctx, userKey{}, 1) // ok: unexported struct type
}

// ok: a named type with a built-in underlying type is the recommended pattern.
type ctxKey string

func okNamedString(ctx context.Context) context.Context {
	return context.WithValue(ctx, ctxKey("user"), 1) // ok: conversion to a named type
}

// ok: a pointer to a package variable.
var traceKey = new(int)

func okPointer(ctx context.Context) context.Context {
	return context.WithValue(ctx, traceKey, 1) // ok: *int is not a built-in type
}

// An empty anonymous struct is the same type in every package (staticcheck SA1029 agrees).
func emptyStructLiteral(ctx context.Context) context.Context {
	return context.WithValue(ctx, struct{}{}, 1) // want "CG301 .*empty anonymous struct"
}

// ok: reads are not reported.
func okRead(ctx context.Context) any {
	return ctx.Value("user") // ok: a read, the write decides
}

// ok: the value may be a string; only the key matters.
func okStringValue(ctx context.Context) context.Context {
	return context.WithValue(ctx, userKey{}, "string value") // ok: string value, struct key
}
