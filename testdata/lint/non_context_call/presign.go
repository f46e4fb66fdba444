package noncontextcall

import (
	"context"
	"net/http"
	"net/url"
)

// A request for a URL net/http cannot send is built to be signed, not sent.
func presignedURL(ctx context.Context, host string) (*http.Request, error) {
	signURL := url.URL{Scheme: "kafka", Host: host, Path: "/"}
	return http.NewRequest(http.MethodGet, signURL.String(), nil) // ok: a kafka:// URL, signed and never sent
}

func presignedLiteral(ctx context.Context) (*http.Request, error) {
	return http.NewRequest(http.MethodGet, "kafka://broker:9098/", nil) // ok: not an HTTP URL
}

// An http(s) URL is meant to be sent: the request should carry ctx.
func sentURL(ctx context.Context, host string) (*http.Request, error) {
	target := url.URL{Scheme: "https", Host: host, Path: "/"}
	return http.NewRequest(http.MethodGet, target.String(), nil) // want `CG202 http\.NewRequest has no context`
}

func sentLiteral(ctx context.Context) (*http.Request, error) {
	return http.NewRequest(http.MethodGet, "https://example.com/", nil) // want `CG202 http\.NewRequest has no context`
}
