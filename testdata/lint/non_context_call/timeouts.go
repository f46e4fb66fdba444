package noncontextcall

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

var askClient *http.Client

func init() {
	askClient = &http.Client{Timeout: 10 * time.Second}
}

var plainClient = &http.Client{}

// The clients and dialers here carry their own time limit: the call ends by itself.
func bounded(ctx context.Context, url, addr string) {
	askClient.Get(url) // ok: a client with a Timeout
	local := &http.Client{Timeout: time.Second}
	local.Head(url)                                            // ok: a client with a Timeout
	(&net.Dialer{Timeout: 30 * time.Second}).Dial("tcp", addr) // ok: a dialer with a Timeout
	dialer := &net.Dialer{Timeout: 500 * time.Millisecond}
	tls.DialWithDialer(dialer, "tcp", addr, nil) // ok: a dialer with a Timeout
	plainClient.Get(url)                         // want `CG202 \(\*http.Client\).Get has no context`
	(&net.Dialer{}).Dial("tcp", addr)            // ok: reported under report-everywhere
}

func probeDialer() *net.Dialer { return &net.Dialer{KeepAlive: -1} }

// A dialer or client given its Timeout after it is made, before the call.
func boundedLater(ctx context.Context, url, addr string, timeout time.Duration) {
	d := probeDialer()
	d.Timeout = timeout
	d.Dial("tcp", addr) // ok: the Timeout was set first
	c := &http.Client{}
	c.Timeout = timeout
	c.Get(url) // ok: the Timeout was set first
}

// Set after the call, or on another variable: no limit for the call.
func boundedTooLate(ctx context.Context, url, addr string, timeout time.Duration) {
	d := probeDialer()
	other := probeDialer()
	other.Timeout = timeout
	d.Dial("tcp", addr) // ok: reported under report-everywhere
	c := &http.Client{}
	c.Get(url) // want `CG202 \(\*http.Client\).Get has no context`
	c.Timeout = timeout
}
