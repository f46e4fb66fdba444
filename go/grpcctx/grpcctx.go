// Package grpcctx provides grpc-go interceptors that give every RPC a
// bounded, identified context and report its lifecycle, as package httpctx
// does for net/http:
//
//   - deadline: gRPC already carries the client's deadline and cancellation
//     to the server; Options.MaxTimeout caps it (on the server, the handler's
//     context; on the client, the call's), also for callers that set none;
//   - request and trace IDs: the server reads the metadata "x-request-id"
//     (or generates an ID, see [lifecycle.NewRequestID]) and "traceparent"
//     (W3C trace context) into the handler's context, and returns the
//     request ID in the response header metadata "x-request-id"; the client
//     interceptors copy the IDs of their context ([lifecycle.RequestID],
//     [lifecycle.Traceparent]) into the outgoing metadata, so a server that
//     calls another service passes its request's IDs on;
//   - lifecycle: the Observer (shared with httpctx, see [lifecycle.Observer])
//     is told when each RPC starts and finishes, with the full method name
//     ("/package.Service/Method") as route and the outcome from the status
//     code (see [Classify]; on the server, a cancellation that comes with the
//     deadline less than [lifecycle.DeadlineSlack] away counts as
//     deadline_exceeded, see [lifecycle.Refine]), and (server side) when a
//     handler outlived its context.
package grpcctx

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"ctxguard.dev/go/lifecycle"
)

// Metadata keys read and written by the interceptors.
const (
	MDRequestID   = "x-request-id"
	MDTraceparent = "traceparent"
)

// Options configures the interceptors. The zero value adds and propagates
// request and trace IDs only.
type Options struct {
	// MaxTimeout caps the deadline of every RPC (0: no cap). On the server
	// it bounds the handler's context, and an RPC whose handler returned
	// success after that context was done fails with its status
	// (DeadlineExceeded or Canceled) instead; on the client it bounds the
	// call.
	MaxTimeout time.Duration

	// Observer is told about each RPC's lifecycle stages (nil: none).
	Observer lifecycle.Observer

	// CutGrace is how long a server handler may keep running after its
	// context is done before it is reported as cut. 0 means
	// [lifecycle.DefaultCutGrace]; negative means at once. Client calls are
	// never reported as cut: grpc-go returns as soon as their context is done.
	CutGrace time.Duration
}

// bound caps ctx's deadline at MaxTimeout from now.
func (o *Options) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if o.MaxTimeout <= 0 {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= o.MaxTimeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, o.MaxTimeout)
}

// Code returns the gRPC status code of an error as grpc-go sends it: the
// status of a status error, Canceled or DeadlineExceeded for a context error,
// Unknown for any other error, OK for nil.
func Code(err error) codes.Code {
	if s, ok := status.FromError(err); ok {
		return s.Code()
	}
	return status.FromContextError(err).Code()
}

// Classify maps an RPC's error to a [lifecycle.Outcome] by its status code
// (see [Code]): OK is completed, DeadlineExceeded is deadline_exceeded,
// Canceled is cancelled, and any other code is errored.
func Classify(err error) lifecycle.Outcome {
	switch Code(err) {
	case codes.OK:
		return lifecycle.Completed
	case codes.DeadlineExceeded:
		return lifecycle.DeadlineExceeded
	case codes.Canceled:
		return lifecycle.Cancelled
	default:
		return lifecycle.Errored
	}
}

// serverIDs puts the request and trace IDs of the incoming metadata in ctx.
func serverIDs(ctx context.Context) (context.Context, string) {
	md, _ := metadata.FromIncomingContext(ctx)
	rid := ""
	if v := md.Get(MDRequestID); len(v) > 0 {
		rid = v[0]
	}
	if !lifecycle.ValidRequestID(rid) {
		rid = lifecycle.NewRequestID()
	}
	tp := ""
	if v := md.Get(MDTraceparent); len(v) == 1 { // several: invalid
		tp = v[0]
	}
	return lifecycle.WithIDs(ctx, rid, tp), rid
}

// enforce turns the success of a handler whose context is done into the
// context's status.
func enforce(ctx context.Context, err error) error {
	if err == nil {
		if cerr := ctx.Err(); cerr != nil {
			return status.FromContextError(cerr).Err()
		}
	}
	return err
}

// UnaryServerInterceptor returns a server interceptor for unary RPCs that
// caps the handler's deadline, puts the request and trace IDs in its context
// (and the request ID in the response header), and reports the RPC to
// opts.Observer. Install it with grpc.UnaryInterceptor or
// grpc.ChainUnaryInterceptor.
func UnaryServerInterceptor(opts Options) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		ctx, cancel := opts.bound(ctx)
		defer cancel()
		ctx, rid := serverIDs(ctx)
		_ = grpc.SetHeader(ctx, metadata.Pairs(MDRequestID, rid))
		lr := lifecycle.Begin(ctx, opts.Observer, info.FullMethod, opts.CutGrace)
		panicked := true
		defer func() {
			if panicked {
				lr.End(lifecycle.Errored)
			}
		}()
		resp, err = handler(ctx, req)
		panicked = false
		if err = enforce(ctx, err); err != nil {
			resp = nil
		}
		lr.End(lifecycle.Refine(ctx, Classify(err)))
		return resp, err
	}
}

// serverStream is a grpc.ServerStream with another context.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }

// StreamServerInterceptor returns a server interceptor for streaming RPCs
// that does what [UnaryServerInterceptor] does: the stream's Context is
// bounded and carries the IDs. Install it with grpc.StreamInterceptor or
// grpc.ChainStreamInterceptor.
func StreamServerInterceptor(opts Options) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		ctx, cancel := opts.bound(ss.Context())
		defer cancel()
		ctx, rid := serverIDs(ctx)
		_ = ss.SetHeader(metadata.Pairs(MDRequestID, rid))
		lr := lifecycle.Begin(ctx, opts.Observer, info.FullMethod, opts.CutGrace)
		panicked := true
		defer func() {
			if panicked {
				lr.End(lifecycle.Errored)
			}
		}()
		err = handler(srv, &serverStream{ServerStream: ss, ctx: ctx})
		panicked = false
		err = enforce(ctx, err)
		lr.End(lifecycle.Refine(ctx, Classify(err)))
		return err
	}
}

// outgoing adds the IDs carried by ctx to its outgoing metadata, unless the
// metadata already has them.
func outgoing(ctx context.Context) context.Context {
	rid, tp := lifecycle.RequestID(ctx), lifecycle.Traceparent(ctx)
	if rid == "" && tp == "" {
		return ctx
	}
	md, _ := metadata.FromOutgoingContext(ctx)
	var kv []string
	if rid != "" && len(md.Get(MDRequestID)) == 0 {
		kv = append(kv, MDRequestID, rid)
	}
	if tp != "" && len(md.Get(MDTraceparent)) == 0 {
		kv = append(kv, MDTraceparent, tp)
	}
	if len(kv) == 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// UnaryClientInterceptor returns a client interceptor for unary RPCs that
// caps the call's deadline at opts.MaxTimeout, sends the request and trace
// IDs of its context in the metadata, and reports the call to
// opts.Observer. Install it with grpc.WithUnaryInterceptor or
// grpc.WithChainUnaryInterceptor.
func UnaryClientInterceptor(opts Options) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, callOpts ...grpc.CallOption) error {
		ctx, cancel := opts.bound(ctx)
		defer cancel()
		ctx = outgoing(ctx)
		lr := lifecycle.Begin(context.Background(), opts.Observer, method, 0)
		err := invoker(ctx, method, req, reply, cc, callOpts...)
		lr.End(Classify(err))
		return err
	}
}

// StreamClientInterceptor returns a client interceptor for streaming RPCs
// that does what [UnaryClientInterceptor] does. A stream is reported
// finished when RecvMsg returns its end (io.EOF, an error, or the single
// response of a stream without server streaming) or when its context is
// done, whichever comes first; the MaxTimeout bound is released then.
// Install it with grpc.WithStreamInterceptor or
// grpc.WithChainStreamInterceptor.
func StreamClientInterceptor(opts Options) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, callOpts ...grpc.CallOption) (grpc.ClientStream, error) {
		ctx, cancel := opts.bound(ctx)
		ctx = outgoing(ctx)
		lr := lifecycle.Begin(context.Background(), opts.Observer, method, 0)
		cs, err := streamer(ctx, desc, cc, method, callOpts...)
		if err != nil {
			lr.End(Classify(err))
			cancel()
			return nil, err
		}
		if lr == nil && opts.MaxTimeout <= 0 {
			return cs, nil // nothing to do when the stream ends
		}
		s := &clientStream{ClientStream: cs, desc: desc, lr: lr, cancel: cancel}
		s.mu.Lock()
		s.stop = context.AfterFunc(ctx, func() { s.finish(ctx.Err()) })
		s.mu.Unlock()
		return s, nil
	}
}

// clientStream reports the end of a client stream.
type clientStream struct {
	grpc.ClientStream
	desc   *grpc.StreamDesc
	lr     *lifecycle.Request
	cancel context.CancelFunc
	once   sync.Once
	mu     sync.Mutex // guards stop, set just after the stream is made
	stop   func() bool
}

func (s *clientStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	switch {
	case errors.Is(err, io.EOF):
		s.finish(nil)
	case err != nil:
		s.finish(err)
	case !s.desc.ServerStreams:
		s.finish(nil) // the one response of a client-streaming RPC
	}
	return err
}

func (s *clientStream) finish(err error) {
	s.once.Do(func() {
		s.mu.Lock()
		stop := s.stop
		s.mu.Unlock()
		if stop != nil {
			stop()
		}
		s.lr.End(Classify(err))
		s.cancel()
	})
}
