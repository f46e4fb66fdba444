package noncontextcall

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	osexec "os/exec"
	"syscall"
	"time"
)

func dialers(ctx context.Context, addr string, cfg *tls.Config) {
	c1, _ := net.Dial("tcp", addr)                     // want `CG202 net\.Dial has no context: use \(&net\.Dialer\{\}\)\.DialContext\(ctx, \.\.\.\)`
	c2, _ := net.DialTimeout("tcp", addr, time.Second) // ok: bounded by its timeout (reported under report-everywhere)
	ln, _ := net.Listen("tcp", addr)                   // ok: binding a socket does not wait (reported under report-everywhere)
	_, _ = net.LookupPort("tcp", "http")               // ok: /etc/services, nothing to wait for

	var d net.Dialer
	c3, _ := d.Dial("tcp", addr) // want `CG202 \(\*net\.Dialer\)\.Dial has no context: use DialContext\(ctx, \.\.\.\)`

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

// Dials with nothing to wait for, or bounded already: left to report-everywhere.
func quickDials(ctx context.Context, port int, addr string) {
	u, _ := net.Dial("udp", addr)                               // ok: a datagram socket, no handshake
	l, _ := net.Dial("tcp4", fmt.Sprintf("localhost:%d", port)) // ok: loopback, refused or accepted at once
	t, _ := net.DialTimeout("tcp", addr, time.Second)           // ok: bounded by its timeout
	_, _ = net.LookupHost("example.com")                        // ok: bounded by the resolver's timeouts
	r, _ := net.Dial("tcp", addr)                               // want `CG202 net\.Dial has no context`
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

// ok: a daemon in a process group of its own, or a command returned to the caller who starts it.
func spawnDaemon(ctx context.Context, self string) (*osexec.Cmd, error) {
	cmd := osexec.Command(self, "-daemon") // ok: returned, and detached with Setpgid
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	_ = ctx
	return cmd, nil
}

func buildCommand(ctx context.Context, name string) *osexec.Cmd {
	cmd := osexec.Command(name) // ok: the caller starts it
	_ = ctx
	return cmd
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
