package backgroundinscope

import (
	"context"
)

// A gRPC server-streaming handler: the stream carries the RPC's context.
func (s *store) Watch(req string, stream Watch_WatchServer) error {
	return query(context.Background(), req) // want `use stream\.Context\(\)$`
}

// A client-streaming handler with an unnamed request.
func (s *store) Push(srv Queue_PushServer) error {
	return query(context.TODO(), "push") // want `use srv\.Context\(\)$`
}

// ok: a stream handler that uses its stream's context.
func (s *store) WatchGood(req string, stream Watch_WatchServer) error {
	return query(stream.Context(), req) // ok: uses the stream's context
}

// ok: a method storing its own lifetime in a constructor with no context.
func newStore() *store {
	s := &store{}
	s.ctx, s.cancel = context.WithCancel(context.Background()) // ok: no caller context
	return s
}
