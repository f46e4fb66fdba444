package grpcctx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"ctxguard.dev/go/lifecycle"
)

// A hand-registered test service (no protoc): ctxguard.test.Echo with a
// unary method Echo and a bidi streaming method Stream, on wrapperspb
// messages. What the handler does depends on the request's value:
//
//	ok        answers "ok"
//	fail      fails with codes.Internal
//	block     waits until its context is done and returns its error
//	ignore    ignores its context: waits for the test's release, answers "late"
//	ids       answers "<request ID>|<trace ID>" from its context
//	deadline  answers its context's remaining time in ms, or "none"
//	call      calls ids on the next server (testServer.next) with its context
const (
	serviceName    = "ctxguard.test.Echo"
	echoMethod     = "/" + serviceName + "/Echo"
	streamMethod   = "/" + serviceName + "/Stream"
	testTraceID    = "4bf92f3577b34da6a3ce929d0e0e4736"
	testTraceparnt = "00-" + testTraceID + "-00f067aa0ba902b7-01"
)

type testServer struct {
	release chan struct{}
	next    *grpc.ClientConn
}

func (s *testServer) handle(ctx context.Context, what string) (string, error) {
	switch what {
	case "ok":
		return "ok", nil
	case "fail":
		return "", status.Error(codes.Internal, "boom")
	case "block":
		<-ctx.Done()
		return "", ctx.Err()
	case "ignore":
		<-s.release
		return "late", nil
	case "ids":
		return lifecycle.RequestID(ctx) + "|" + lifecycle.TraceID(ctx), nil
	case "deadline":
		if dl, ok := ctx.Deadline(); ok {
			return fmt.Sprint(time.Until(dl).Milliseconds()), nil
		}
		return "none", nil
	case "call":
		out := new(wrapperspb.StringValue)
		err := s.next.Invoke(ctx, echoMethod, wrapperspb.String("ids"), out)
		return out.GetValue(), err
	}
	return "", status.Error(codes.InvalidArgument, "unknown request "+what)
}

func echoHandler(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
	in := new(wrapperspb.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	h := func(ctx context.Context, req any) (any, error) {
		v, err := srv.(*testServer).handle(ctx, req.(*wrapperspb.StringValue).GetValue())
		if err != nil {
			return nil, err
		}
		return wrapperspb.String(v), nil
	}
	if ic == nil {
		return h(ctx, in)
	}
	return ic(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: echoMethod}, h)
}

// streamHandler answers each request of the stream as Echo would, until the
// client closes its side or a request fails.
func streamHandler(srv any, stream grpc.ServerStream) error {
	for {
		in := new(wrapperspb.StringValue)
		if err := stream.RecvMsg(in); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		v, err := srv.(*testServer).handle(stream.Context(), in.GetValue())
		if err != nil {
			return err
		}
		if err := stream.SendMsg(wrapperspb.String(v)); err != nil {
			return err
		}
	}
}

var echoDesc = grpc.ServiceDesc{
	ServiceName: serviceName,
	HandlerType: (*any)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Echo", Handler: echoHandler}},
	Streams: []grpc.StreamDesc{{
		StreamName: "Stream", Handler: streamHandler, ServerStreams: true, ClientStreams: true,
	}},
}

var streamDesc = &grpc.StreamDesc{StreamName: "Stream", ServerStreams: true, ClientStreams: true}

// startServer serves the test service on 127.0.0.1 with the given options
// and returns its address.
func startServer(t *testing.T, ts *testServer, opts ...grpc.ServerOption) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(opts...)
	srv.RegisterService(&echoDesc, ts)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

func dial(t *testing.T, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	cc, err := grpc.NewClient("passthrough:///"+addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}
