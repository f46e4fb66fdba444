// Package grpc is a stand-in for google.golang.org/grpc: the signatures the fixtures call.
package grpc

import "context"

// ClientConn is a client connection.
type ClientConn struct{}

// DialOption configures a dial.
type DialOption interface{ apply() }

// Dial is deprecated: use NewClient.
func Dial(target string, opts ...DialOption) (*ClientConn, error) { return &ClientConn{}, nil }

// DialContext is deprecated: use NewClient.
func DialContext(ctx context.Context, target string, opts ...DialOption) (*ClientConn, error) {
	return &ClientConn{}, nil
}

// NewClient creates a client; it does not connect.
func NewClient(target string, opts ...DialOption) (*ClientConn, error) { return &ClientConn{}, nil }

// Close closes the connection.
func (cc *ClientConn) Close() error { return nil }

// WithBlock makes a dial wait for the connection.
func WithBlock() DialOption { return nil }
