package resourceincontext

import (
	"context"
	"net/http"

	"golang.org/x/oauth2"
)

type clientKey struct{}

// ok: golang.org/x/oauth2 asks for its HTTP client under its own key.
func okOAuthClient(ctx context.Context, client *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, client) // ok: oauth2's documented API
}

// ok: the same, with a client built inline.
func okOAuthInline(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, &http.Client{}) // ok: oauth2's documented API
}

// The same client under the program's own key is reported.
func ownClientKey(ctx context.Context, client *http.Client) context.Context {
	return context.WithValue(ctx, clientKey{}, client) // want `CG302 .*stores a \*http\.Client`
}

// A composite literal of a listed type.
func inlineClient(ctx context.Context) context.Context {
	return context.WithValue(ctx, clientKey{}, &http.Client{}) // want `CG302 .*stores a \*http\.Client`
}
