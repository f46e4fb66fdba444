package noncontextcall

import (
	"context"
	"net/http"
)

type socketDialer struct{}

func (socketDialer) DialGet(url string, header http.Header, cookies []*http.Cookie) error { return nil }

func fillStreamRequest(req *http.Request, session string) { req.Header.Set("X-Session", session) }

// The request is only taken apart: its URL, headers and cookies go to another transport, and
// net/http never sends it.
func openStream(ctx context.Context, d socketDialer, url, session string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil) // ok: never sent, only its parts are read
	if err != nil {
		return err
	}
	fillStreamRequest(req, session)
	return d.DialGet(req.URL.String(), req.Header, req.Cookies())
}

// The same request handed to a client is sent: it should carry ctx.
func sendStream(ctx context.Context, c *http.Client, url, session string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil) // want `CG202 http\.NewRequest has no context`
	if err != nil {
		return err
	}
	fillStreamRequest(req, session)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type requestQueue struct{ pending []*http.Request }

func (q *requestQueue) Add(req *http.Request) { q.pending = append(q.pending, req) }

// Queued to be sent later: the queue's Add is no filling-in.
func queueStream(ctx context.Context, q *requestQueue, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil) // want `CG202 http\.NewRequest has no context`
	if err != nil {
		return err
	}
	q.Add(req)
	return nil
}
