package grpcctx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"ctxguard.dev/go/grpcctx"
	"ctxguard.dev/go/internal/observertest"
	"ctxguard.dev/go/lifecycle"
)

// serverOpts installs the server interceptors.
func serverOpts(o grpcctx.Options) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(grpcctx.UnaryServerInterceptor(o)),
		grpc.ChainStreamInterceptor(grpcctx.StreamServerInterceptor(o)),
	}
}

// clientOpts installs the client interceptors.
func clientOpts(o grpcctx.Options) []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(grpcctx.UnaryClientInterceptor(o)),
		grpc.WithChainStreamInterceptor(grpcctx.StreamClientInterceptor(o)),
	}
}

func call(ctx context.Context, cc *grpc.ClientConn, what string, opts ...grpc.CallOption) (string, error) {
	out := new(wrapperspb.StringValue)
	err := cc.Invoke(ctx, echoMethod, wrapperspb.String(what), out, opts...)
	return out.GetValue(), err
}

// streamCall sends each request on one stream and collects the answers.
func streamCall(ctx context.Context, cc *grpc.ClientConn, reqs ...string) ([]string, error) {
	cs, err := cc.NewStream(ctx, streamDesc, streamMethod)
	if err != nil {
		return nil, err
	}
	var got []string
	for _, r := range reqs {
		if err := cs.SendMsg(wrapperspb.String(r)); err != nil {
			break // the status comes from RecvMsg
		}
		out := new(wrapperspb.StringValue)
		if err := cs.RecvMsg(out); err != nil {
			return got, err
		}
		got = append(got, out.GetValue())
	}
	if err := cs.CloseSend(); err != nil {
		return got, err
	}
	for {
		out := new(wrapperspb.StringValue)
		err := cs.RecvMsg(out)
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got = append(got, out.GetValue())
	}
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestIDs(t *testing.T) {
	b := startServer(t, &testServer{}, serverOpts(grpcctx.Options{})...)
	a := startServer(t, &testServer{next: dial(t, b, clientOpts(grpcctx.Options{})...)}, serverOpts(grpcctx.Options{})...)
	cc := dial(t, a, clientOpts(grpcctx.Options{})...)
	bg := context.Background()

	// From the caller's metadata; the request ID comes back in the header.
	ctx := metadata.AppendToOutgoingContext(bg, "x-request-id", "r-1", "traceparent", testTraceparnt)
	var hdr metadata.MD
	got, err := call(ctx, cc, "ids", grpc.Header(&hdr))
	if err != nil || got != "r-1|"+testTraceID {
		t.Fatalf("ids: %q %v", got, err)
	}
	if v := hdr.Get("x-request-id"); len(v) != 1 || v[0] != "r-1" {
		t.Errorf("response header x-request-id %q", v)
	}

	// Generated when absent or invalid; an invalid traceparent is dropped.
	for _, md := range []metadata.MD{nil, metadata.Pairs("x-request-id", "bad id", "traceparent", "00-xyz")} {
		ctx := metadata.NewOutgoingContext(bg, md)
		var hdr metadata.MD
		got, err := call(ctx, cc, "ids", grpc.Header(&hdr))
		rid, tid, _ := strings.Cut(got, "|")
		if err != nil || !hex32.MatchString(rid) || tid != "" {
			t.Errorf("md %v: ids %q %v", md, got, err)
		}
		if v := hdr.Get("x-request-id"); len(v) != 1 || v[0] != rid {
			t.Errorf("md %v: response header %q, handler saw %q", md, v, rid)
		}
	}

	// The client interceptor sends the IDs of its context: a server calling
	// another one passes its request's IDs on (a calls b with its context).
	ctx = lifecycle.WithIDs(bg, "r-2", testTraceparnt)
	if got, err := call(ctx, cc, "call"); err != nil || got != "r-2|"+testTraceID {
		t.Errorf("two hops: %q %v", got, err)
	}
	// Explicit metadata wins over the context's IDs.
	ctx = metadata.AppendToOutgoingContext(ctx, "x-request-id", "r-3")
	if got, err := call(ctx, cc, "ids"); err != nil || got != "r-3|"+testTraceID {
		t.Errorf("explicit metadata: %q %v", got, err)
	}

	// Streams too.
	ctx = lifecycle.WithIDs(bg, "r-4", testTraceparnt)
	if got, err := streamCall(ctx, cc, "ids", "call"); err != nil || len(got) != 2 ||
		got[0] != "r-4|"+testTraceID || got[1] != "r-4|"+testTraceID {
		t.Errorf("stream: %q %v", got, err)
	}
}

func TestDeadline(t *testing.T) {
	bg := context.Background()
	capped := dial(t, startServer(t, &testServer{}, serverOpts(grpcctx.Options{MaxTimeout: 100 * time.Millisecond})...))
	plain := dial(t, startServer(t, &testServer{}, serverOpts(grpcctx.Options{})...))
	ms := func(s string, err error) int {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if s == "none" {
			return -1
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	within := func(name string, got, lo, hi int) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s: handler deadline in %dms, want %d..%d", name, got, lo, hi)
		}
	}

	within("no deadline, server cap", ms(call(bg, capped, "deadline")), 1, 100)
	ctx, cancel := context.WithTimeout(bg, 3*time.Second)
	defer cancel()
	within("longer client deadline, server cap", ms(call(ctx, capped, "deadline")), 1, 100)
	ctx2, cancel2 := context.WithTimeout(bg, 700*time.Millisecond)
	defer cancel2()
	within("client deadline carried", ms(call(ctx2, plain, "deadline")), 200, 700)
	if got := ms(call(bg, plain, "deadline")); got != -1 {
		t.Errorf("no deadline anywhere: %dms", got)
	}
	got, err := streamCall(bg, capped, "deadline")
	if err != nil || len(got) != 1 {
		t.Fatalf("stream: %v %v", got, err)
	}
	within("stream, server cap", ms(got[0], nil), 1, 100)

	// The client cap.
	cc := dial(t, startServer(t, &testServer{}, serverOpts(grpcctx.Options{})...),
		clientOpts(grpcctx.Options{MaxTimeout: 150 * time.Millisecond})...)
	within("client cap", ms(call(bg, cc, "deadline")), 1, 150)
	got, err = streamCall(bg, cc, "deadline")
	if err != nil || len(got) != 1 {
		t.Fatalf("stream: %v %v", got, err)
	}
	within("stream, client cap", ms(got[0], nil), 1, 150)
}

func TestOutcomes(t *testing.T) {
	srvObs, cliObs := observertest.New(), observertest.New()
	addr := startServer(t, &testServer{}, serverOpts(grpcctx.Options{Observer: srvObs})...)
	cc := dial(t, addr, clientOpts(grpcctx.Options{Observer: cliObs})...)
	bg := context.Background()

	check := func(name, route string, want lifecycle.Outcome) {
		t.Helper()
		for side, obs := range map[string]*observertest.Recorder{"server": srvObs, "client": cliObs} {
			if s := obs.Wait(t, "started"); s.Route != route {
				t.Errorf("%s, %s: started %q, want %q", name, side, s.Route, route)
			}
			if f := obs.Wait(t, "finished"); f.Route != route || f.Outcome != want {
				t.Errorf("%s, %s: finished %q %q, want %q", name, side, f.Route, f.Outcome, want)
			}
		}
	}

	if _, err := call(bg, cc, "ok"); err != nil {
		t.Fatal(err)
	}
	check("ok", echoMethod, lifecycle.Completed)

	if _, err := call(bg, cc, "fail"); status.Code(err) != codes.Internal {
		t.Fatalf("fail: %v", err)
	}
	check("fail", echoMethod, lifecycle.Errored)

	ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel()
	if _, err := call(ctx, cc, "block"); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("block with deadline: %v", err)
	}
	check("client deadline", echoMethod, lifecycle.DeadlineExceeded)

	ctx, cancel = context.WithCancel(bg)
	errc := make(chan error, 1)
	go func() { _, err := call(ctx, cc, "block"); errc <- err }()
	if s := srvObs.Wait(t, "started"); s.Route != echoMethod {
		t.Fatalf("started %q", s.Route)
	}
	cancel()
	if err := <-errc; status.Code(err) != codes.Canceled {
		t.Fatalf("cancelled call: %v", err)
	}
	if f := srvObs.Wait(t, "finished"); f.Outcome != lifecycle.Cancelled {
		t.Errorf("cancelled by client, server: %q", f.Outcome)
	}
	cliObs.Wait(t, "started")
	if f := cliObs.Wait(t, "finished"); f.Outcome != lifecycle.Cancelled {
		t.Errorf("cancelled by client, client: %q", f.Outcome)
	}

	// Streams.
	if got, err := streamCall(bg, cc, "ok", "ok"); err != nil || len(got) != 2 {
		t.Fatalf("stream ok: %v %v", got, err)
	}
	check("stream ok", streamMethod, lifecycle.Completed)

	if _, err := streamCall(bg, cc, "ok", "fail"); status.Code(err) != codes.Internal {
		t.Fatalf("stream fail: %v", err)
	}
	check("stream fail", streamMethod, lifecycle.Errored)

	ctx, cancel = context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel()
	if _, err := streamCall(ctx, cc, "block"); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("stream block: %v", err)
	}
	check("stream deadline", streamMethod, lifecycle.DeadlineExceeded)

	// A client that abandons its stream by cancelling it, without reading
	// its end: the client interceptor still reports it.
	ctx, cancel = context.WithCancel(bg)
	cs, err := cc.NewStream(ctx, streamDesc, streamMethod)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.SendMsg(wrapperspb.String("block")); err != nil {
		t.Fatal(err)
	}
	srvObs.Wait(t, "started")
	cancel()
	if f := srvObs.Wait(t, "finished"); f.Outcome != lifecycle.Cancelled {
		t.Errorf("abandoned stream, server: %q", f.Outcome)
	}
	cliObs.Wait(t, "started")
	if f := cliObs.Wait(t, "finished"); f.Outcome != lifecycle.Cancelled {
		t.Errorf("abandoned stream, client: %q", f.Outcome)
	}

	if n := srvObs.Count("cut"); n != 0 {
		t.Errorf("%d cuts for handlers that honour their context", n)
	}
	if n := cliObs.Count("cut"); n != 0 {
		t.Errorf("%d client cuts", n)
	}
}

func TestServerMaxEnforced(t *testing.T) {
	obs := observertest.New()
	ts := &testServer{release: make(chan struct{})}
	addr := startServer(t, ts, serverOpts(grpcctx.Options{
		Observer: obs, MaxTimeout: 30 * time.Millisecond, CutGrace: 20 * time.Millisecond,
	})...)
	cc := dial(t, addr)
	bg := context.Background()

	// A handler that honours its context: no cut.
	start := time.Now()
	if _, err := call(bg, cc, "block"); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("block: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("block took %v", d)
	}
	obs.Wait(t, "started")
	if f := obs.Wait(t, "finished"); f.Outcome != lifecycle.DeadlineExceeded {
		t.Errorf("block: %q", f.Outcome)
	}

	// A handler that ignores its context is cut; its late success is
	// turned into DeadlineExceeded.
	errc := make(chan error, 1)
	go func() { _, err := call(bg, cc, "ignore"); errc <- err }()
	obs.Wait(t, "started")
	if c := obs.Wait(t, "cut"); c.Route != echoMethod {
		t.Errorf("cut route %q", c.Route)
	}
	close(ts.release)
	if f := obs.Wait(t, "finished"); f.Outcome != lifecycle.DeadlineExceeded {
		t.Errorf("ignore: %q", f.Outcome)
	}
	if err := <-errc; status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("ignore: client got %v, want DeadlineExceeded", err)
	}

	if n := obs.Count("cut"); n != 1 {
		t.Errorf("%d cuts, want 1", n)
	}

	// Streams: a stream handler that ignores its context is cut too.
	obs = observertest.New()
	ts = &testServer{release: make(chan struct{})}
	cc = dial(t, startServer(t, ts, serverOpts(grpcctx.Options{
		Observer: obs, MaxTimeout: 30 * time.Millisecond, CutGrace: 20 * time.Millisecond,
	})...))
	go func() {
		got, err := streamCall(bg, cc, "ignore")
		if status.Code(err) != codes.DeadlineExceeded {
			err = fmt.Errorf("stream ignore: got %v, %v; want DeadlineExceeded", got, err)
		} else {
			err = nil
		}
		errc <- err
	}()
	obs.Wait(t, "started")
	if c := obs.Wait(t, "cut"); c.Route != streamMethod {
		t.Errorf("cut route %q", c.Route)
	}
	close(ts.release)
	if f := obs.Wait(t, "finished"); f.Outcome != lifecycle.DeadlineExceeded {
		t.Errorf("stream ignore: %q", f.Outcome)
	}
	if err := <-errc; err != nil {
		t.Error(err)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want lifecycle.Outcome
	}{
		{nil, lifecycle.Completed},
		{status.Error(codes.DeadlineExceeded, "x"), lifecycle.DeadlineExceeded},
		{status.Error(codes.Canceled, "x"), lifecycle.Cancelled},
		{status.Error(codes.NotFound, "x"), lifecycle.Errored},
		{context.DeadlineExceeded, lifecycle.DeadlineExceeded},
		{context.Canceled, lifecycle.Cancelled},
		{errors.New("x"), lifecycle.Errored},
	}
	for _, c := range cases {
		if got := grpcctx.Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
