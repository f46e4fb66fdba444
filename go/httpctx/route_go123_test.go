//go:build go1.23

package httpctx_test

// innerRoute is the route a middleware inside a ServeMux reports: r.Pattern.
const innerRoute = "GET /items/{id}"
