// Package oauth2 is a stand-in for golang.org/x/oauth2.
package oauth2

type contextKey struct{}

// HTTPClient is the context key under which oauth2 looks for the *http.Client to use.
var HTTPClient contextKey
