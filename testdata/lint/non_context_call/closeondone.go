package noncontextcall

import (
	"context"
	"crypto/tls"
	"net"
)

// A watcher closes the connection when the context ends: the handshake is aborted with it.
func handshakeAfterFunc(ctx context.Context, conn net.Conn) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	tc := tls.Client(conn, &tls.Config{})
	return tc.Handshake() // ok: closed when ctx ends
}

func handshakeWatched(ctx context.Context, conn net.Conn) error {
	done := make(chan struct{})
	defer close(done)
	tc := tls.Client(conn, &tls.Config{})
	go func() {
		select {
		case <-done:
		case <-ctx.Done():
			conn.Close()
		}
	}()
	return tc.Handshake() // ok: closed when ctx ends
}

func handshakeWaitsForDone(ctx context.Context, conn net.Conn) error {
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	return tls.Client(conn, &tls.Config{}).Handshake() // ok: closed when ctx ends
}

// The watcher comes too late, or closes on something else than the context.
func handshakeWatchedLate(ctx context.Context, conn net.Conn) error {
	tc := tls.Client(conn, &tls.Config{})
	err := tc.Handshake() // want `CG202 \(\*tls.Conn\).Handshake has no context`
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	return err
}

func handshakeWatchedOther(ctx context.Context, conn net.Conn, quit <-chan struct{}) error {
	go func() {
		<-quit
		conn.Close()
	}()
	return tls.Client(conn, &tls.Config{}).Handshake() // want `CG202 \(\*tls.Conn\).Handshake has no context`
}
