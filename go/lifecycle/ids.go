package lifecycle

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"strings"
)

// MaxRequestIDLen is the longest inbound request ID that is accepted as is;
// see [ValidRequestID].
const MaxRequestIDLen = 128

type idsKey struct{}

// ids is the one context value that carries both IDs, so that adding them to
// a context costs one allocation.
type ids struct {
	requestID   string
	traceparent string
	traceID     string
}

// WithIDs returns a copy of ctx carrying requestID and the W3C traceparent
// header value traceparent. An invalid traceparent (see [ParseTraceparent])
// is dropped: [Traceparent] and [TraceID] then return "". Nothing is checked
// about requestID; callers validate inbound values with [ValidRequestID].
func WithIDs(ctx context.Context, requestID, traceparent string) context.Context {
	v := &ids{requestID: requestID}
	if tid, norm, ok := parseTraceparent(traceparent); ok {
		v.traceparent, v.traceID = norm, tid
	}
	return context.WithValue(ctx, idsKey{}, v)
}

func fromContext(ctx context.Context) *ids {
	if ctx == nil {
		return nil
	}
	v, _ := ctx.Value(idsKey{}).(*ids)
	return v
}

// RequestID returns the request ID carried by ctx (see [WithIDs]), or "".
func RequestID(ctx context.Context) string {
	if v := fromContext(ctx); v != nil {
		return v.requestID
	}
	return ""
}

// Traceparent returns the valid W3C traceparent header value carried by ctx
// (its first 55 characters: version, trace-id, parent-id and flags), or "".
// It is what a client propagates unchanged to the services it calls.
func Traceparent(ctx context.Context) string {
	if v := fromContext(ctx); v != nil {
		return v.traceparent
	}
	return ""
}

// TraceID returns the 32 lowercase hex digits of the W3C trace-id carried by
// ctx, or "" when ctx carries no valid traceparent.
func TraceID(ctx context.Context) string {
	if v := fromContext(ctx); v != nil {
		return v.traceID
	}
	return ""
}

// NewRequestID returns a new request ID: 16 random bytes from crypto/rand,
// as 32 lowercase hex digits.
func NewRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms (and never does
		// from Go 1.24 on); should it, a request ID need not be secret.
		lo, hi := mrand.Uint64(), mrand.Uint64()
		for i := 0; i < 8; i++ {
			b[i], b[8+i] = byte(lo>>(8*i)), byte(hi>>(8*i))
		}
	}
	return hex.EncodeToString(b[:])
}

// ValidRequestID reports whether an inbound request ID is accepted as is: it
// must be 1 to [MaxRequestIDLen] characters of printable ASCII (0x21 to
// 0x7e; no spaces or control characters, so it is safe to log). An invalid
// one is replaced by a [NewRequestID].
func ValidRequestID(s string) bool {
	if len(s) == 0 || len(s) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// ParseTraceparent parses a W3C Trace Context traceparent header value
// ("00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>") and returns its
// trace-id. It follows the W3C rules: lowercase hex only, version "ff" is
// invalid, version "00" must be exactly 55 characters, a later version may be
// longer only if a '-' follows the flags, and an all-zero trace-id or
// parent-id is invalid. Surrounding spaces and tabs are ignored.
func ParseTraceparent(s string) (traceID string, ok bool) {
	tid, _, ok := parseTraceparent(s)
	return tid, ok
}

func parseTraceparent(s string) (traceID, normalized string, ok bool) {
	s = strings.Trim(s, " \t")
	const n = 55 // len("00-" + 32 + "-" + 16 + "-" + 2)
	if len(s) < n {
		return "", "", false
	}
	version := s[0:2]
	if !isLowerHex(version) || version == "ff" {
		return "", "", false
	}
	if version == "00" && len(s) != n {
		return "", "", false
	}
	if len(s) > n && s[n] != '-' {
		return "", "", false
	}
	if s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return "", "", false
	}
	tid, pid, flags := s[3:35], s[36:52], s[53:55]
	if !isLowerHex(tid) || !isLowerHex(pid) || !isLowerHex(flags) {
		return "", "", false
	}
	if allZero(tid) || allZero(pid) {
		return "", "", false
	}
	return tid, s[:n], true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func allZero(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}
