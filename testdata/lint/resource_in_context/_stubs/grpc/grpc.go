// Package grpc is a stand-in for google.golang.org/grpc.
package grpc

type ClientConn struct{}

type DialOption interface{}

func NewClient(target string, opts ...DialOption) (*ClientConn, error) { return &ClientConn{}, nil }

func (cc *ClientConn) Close() error { return nil }
