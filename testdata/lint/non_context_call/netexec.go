package noncontextcall

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	osexec "os/exec"
	"time"
)

func dialers(ctx context.Context, addr string, cfg *tls.Config) {
	c1, _ := net.Dial("tcp", addr)                     // want `CG202 net\.Dial has no context: use \(&net\.Dialer\{\}\)\.DialContext\(ctx, \.\.\.\)`
	c2, _ := net.DialTimeout("tcp", addr, time.Second) // want `CG202 net\.DialTimeout has no context: use \(&net\.Dialer\{Timeout: timeout\}\)\.DialContext\(ctx, \.\.\.\)`
	ln, _ := net.Listen("tcp", addr)                   // ok: binding a socket does not wait (reported under report-everywhere)
	_, _ = net.LookupPort("tcp", "http")               // ok: /etc/services, nothing to wait for

	var d net.Dialer
	c3, _ := d.Dial("tcp", addr) // want `CG202 \(\*net\.Dialer\)\.Dial has no context: use DialContext\(ctx, \.\.\.\)`

	c4, _ := tls.Dial("tcp", addr, cfg) // want `CG202 tls\.Dial has no context`

	_ = c4.Handshake() // want `CG202 \(\*tls\.Conn\)\.Handshake has no context: use HandshakeContext\(ctx\)`

	_, _ = net.LookupHost("example.com")                   // want `CG202 net\.LookupHost has no context: use net\.DefaultResolver\.LookupHost\(ctx, \.\.\.\)`
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
	cmd := osexec.Command("git", "status") // want `CG202 exec\.Command has no context: use exec\.CommandContext\(ctx, \.\.\.\)`
	cmd.Dir = dir
	if err := cmd.Run(); err != nil {
		return err
	}
	out, err := osexec.Command("ls").Output() // want `CG202 exec\.Command has no context`
	_ = out
	return err
}

// ok cases for commands.
func daemon(ctx context.Context) error {
	cmd := osexec.Command("server", "--detach") // ok: started and never waited for, meant to outlive ctx
	return cmd.Start()
}

func supervised(ctx context.Context) error {
	cmd := osexec.Command("job") // ok: handed over with ctx
	return runWithInterrupt(ctx, cmd)
}

func runWithInterrupt(ctx context.Context, cmd *osexec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		_ = cmd.Process.Kill()
	}()
	return cmd.Wait()
}

func withTwin(ctx context.Context) error {
	return osexec.CommandContext(ctx, "true").Run() // ok: the twin
}

func startDaemon(ctx context.Context) error {
	cmd := osexec.Command("daemon") // ok: handed to a helper that starts it and never waits
	return detach(cmd)
}

func detach(c *osexec.Cmd) error { return c.Start() }

func graceful(ctx context.Context) error {
	cmd := osexec.Command("server") // ok: the function watches ctx.Done() and stops it gently
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		_ = cmd.Process.Signal(os.Interrupt)
	}()
	return cmd.Wait()
}

func waited(ctx context.Context) error {
	cmd := osexec.Command("job") // want `CG202 exec\.Command has no context`
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Wait()
}

// A switch on the network: its Unix case has nothing to wait for, the others do.
func dialNetwork(ctx context.Context, network, addr string) (net.Conn, error) {
	switch network {
	case "unix", "unixpacket":
		return net.Dial(network, addr) // ok: a Unix socket, by its case
	case "tcp", "tcp4":
		return net.Dial(network, addr) // want `CG202 net\.Dial has no context: use \(&net\.Dialer\{\}\)\.DialContext\(ctx, \.\.\.\)`
	}
	return net.Dial(network, addr) // want `CG202 net\.Dial has no context`
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
