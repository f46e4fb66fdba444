//go:build !go1.23

package httpctx_test

// innerRoute: before Go 1.23 a middleware inside a ServeMux cannot see the
// pattern (no r.Pattern), so it reports OtherRoute.
const innerRoute = "other"
