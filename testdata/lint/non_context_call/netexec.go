package noncontextcall

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	osexec "os/exec"
	"time"
)

func dialers(ctx context.Context, addr string, cfg *tls.Config) {
	c1, _ := net.Dial("tcp", addr)                     // ok: reported under report-everywhere
	c2, _ := net.DialTimeout("tcp", addr, time.Second) // ok: bounded by its timeout (reported under report-everywhere)
	ln, _ := net.Listen("tcp", addr)                   // ok: binding a socket does not wait (reported under report-everywhere)
	_, _ = net.LookupPort("tcp", "http")               // ok: /etc/services, nothing to wait for

	var d net.Dialer
	c3, _ := d.Dial("tcp", addr) // ok: reported under report-everywhere

	c4, _ := tls.Dial("tcp", addr, cfg) // want `CG202 tls\.Dial has no context`

	_ = c4.Handshake() // want `CG202 \(\*tls\.Conn\)\.Handshake has no context: use HandshakeContext\(ctx\)`

	_, _ = net.LookupHost("example.com")                   // ok: bounded by the resolver (reported under report-everywhere)
	u, _ := net.Dial("unix", "/run/app.sock")              // ok: a Unix socket has nothing to wait for
	c5, _ := (&net.Dialer{}).DialContext(ctx, "tcp", addr) // ok: the twin
	var lc net.ListenConfig
	ln2, _ := lc.Listen(ctx, "tcp", addr) // ok: the twin
	for _, c := range []net.Conn{c1, c2, c3, c5, u} {
		_ = c.Close()
	}
	_ = ln.Close()
	_ = ln2.Close()
}

// os/exec imported under another name.
func commands(ctx context.Context, dir string) error {
	cmd := osexec.Command("git", "status") // ok: reported under report-everywhere
	cmd.Dir = dir
	if err := cmd.Run(); err != nil {
		return err
	}
	out, err := osexec.Command("ls").Output() // ok: reported under report-everywhere
	_ = out
	return err
}

// A switch on the network: its Unix case has nothing to wait for, the others do.
func dialNetwork(ctx context.Context, network, addr string) (net.Conn, error) {
	switch network {
	case "unix", "unixpacket":
		return net.Dial(network, addr) // ok: a Unix socket, by its case
	case "tcp", "tcp4":
		return net.Dial(network, addr) // ok: reported under report-everywhere
	}
	return net.Dial(network, addr) // ok: reported under report-everywhere
}

// The handshake runs in a goroutine of its own that the caller races against ctx: closing the
// connection when ctx is done ends it, so HandshakeContext would change nothing.
func handshakeRaced(ctx context.Context, raw net.Conn, cfg *tls.Config) (net.Conn, error) {
	conn := tls.Client(raw, cfg)
	errc := make(chan error, 1)
	go func() {
		errc <- conn.Handshake() // ok: raced against ctx.Done() below
	}()
	select {
	case err := <-errc:
		if err != nil {
			_ = conn.Close()
			return nil, err
		}
	case <-ctx.Done():
		_ = conn.Close()
		return nil, ctx.Err()
	}
	return conn, nil
}

// The same goroutine without the race: nothing stops a stalled handshake.
func handshakeAlone(ctx context.Context, raw net.Conn, cfg *tls.Config) (net.Conn, error) {
	conn := tls.Client(raw, cfg)
	errc := make(chan error, 1)
	go func() {
		errc <- conn.Handshake() // want `CG202 \(\*tls\.Conn\)\.Handshake has no context`
	}()
	if err := <-errc; err != nil {
		return nil, err
	}
	return conn, ctx.Err()
}

// Dials with nothing to wait for, or bounded already: left to report-everywhere.
func quickDials(ctx context.Context, port int, addr string) {
	u, _ := net.Dial("udp", addr)                               // ok: a datagram socket, no handshake
	l, _ := net.Dial("tcp4", fmt.Sprintf("localhost:%d", port)) // ok: loopback, refused or accepted at once
	t, _ := net.DialTimeout("tcp", addr, time.Second)           // ok: bounded by its timeout
	_, _ = net.LookupHost("example.com")                        // ok: bounded by the resolver's timeouts
	r, _ := net.Dial("tcp", addr)                               // ok: reported under report-everywhere
	for _, c := range []net.Conn{u, l, t, r} {
		_ = c.Close()
	}
	_ = ctx
}

// ok: the function carries the context's deadline into the dialer itself.
func dialByDeadline(ctx context.Context, addr string, cfg *tls.Config) (net.Conn, error) {
	dialer := &net.Dialer{}
	if deadline, ok := ctx.Deadline(); ok {
		dialer.Deadline = deadline
	}
	return tls.DialWithDialer(dialer, "tcp", addr, cfg) // ok: ctx's deadline applies
}

// ok: a request written to a connection by hand: nothing reads its context.
func connectProxy(ctx context.Context, conn net.Conn, host string) error {
	req, err := http.NewRequest(http.MethodConnect, "http://"+host, nil) // ok: written by hand
	if err != nil {
		return err
	}
	_ = ctx
	return req.Write(conn)
}
