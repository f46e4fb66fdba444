// Package inventory is a small gRPC service for the leak lab: one unary
// method, Reserve, registered by hand with a JSON codec so that neither
// generated code nor protoc is needed. Calls are real grpc-go calls over
// HTTP/2 on a loopback port.
package inventory

import (
	"context"
	"encoding/json"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"
)

const (
	codecName     = "json"
	serviceName   = "lab.inventory.Inventory"
	reserveMethod = "/" + serviceName + "/Reserve"
)

func init() { encoding.RegisterCodec(jsonCodec{}) }

// jsonCodec marshals messages as JSON (content-type application/grpc+json).
type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)   { return json.Marshal(v) }
func (jsonCodec) Unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
func (jsonCodec) Name() string                    { return codecName }

// ReserveRequest asks to hold qty units of an item.
type ReserveRequest struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// ReserveReply says what was held.
type ReserveReply struct {
	SKU      string `json:"sku"`
	Reserved int    `json:"reserved"`
}

// Client calls the inventory service.
type Client struct{ cc grpc.ClientConnInterface }

// NewClient wraps a connection to an inventory server.
func NewClient(cc grpc.ClientConnInterface) Client { return Client{cc: cc} }

// Reserve holds stock; it gives up when ctx does.
func (c Client) Reserve(ctx context.Context, in *ReserveRequest) (*ReserveReply, error) {
	out := new(ReserveReply)
	if err := c.cc.Invoke(ctx, reserveMethod, in, out, grpc.CallContentSubtype(codecName)); err != nil {
		return nil, err
	}
	return out, nil
}

// Server is a slow inventory backend: every reservation takes Delay,
// unless the caller cancels first.
type Server struct{ Delay time.Duration }

// Reserve waits Delay, or until ctx ends, whichever comes first.
func (s *Server) Reserve(ctx context.Context, in *ReserveRequest) (*ReserveReply, error) {
	t := time.NewTimer(s.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return &ReserveReply{SKU: in.SKU, Reserved: in.Qty}, nil
	case <-ctx.Done():
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

// Register adds s to a gRPC server.
func Register(gs *grpc.Server, s *Server) { gs.RegisterService(&serviceDesc, s) }

type reserver interface {
	Reserve(context.Context, *ReserveRequest) (*ReserveReply, error)
}

// The method is declared as a stream with one message each way, which is
// what a unary call is on the wire; the handler then needs no generated
// code.
var serviceDesc = grpc.ServiceDesc{
	ServiceName: serviceName,
	HandlerType: (*reserver)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName: "Reserve",
		Handler:    reserveHandler,
	}},
}

func reserveHandler(srv any, stream grpc.ServerStream) error {
	in := new(ReserveRequest)
	if err := stream.RecvMsg(in); err != nil {
		return err
	}
	out, err := srv.(reserver).Reserve(stream.Context(), in)
	if err != nil {
		return err
	}
	return stream.SendMsg(out)
}
