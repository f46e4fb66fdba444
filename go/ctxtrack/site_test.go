package ctxtrack

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// siteOf returns the only site of t with kind k.
func siteOf(t *testing.T, tr *Tracker, k kind) *site {
	t.Helper()
	var found *site
	for _, s := range *tr.sites.Load() {
		if s.kind == k {
			if found != nil {
				t.Fatalf("two %v sites", k)
			}
			found = s
		}
	}
	if found == nil {
		t.Fatalf("no %v site", k)
	}
	return found
}

func TestDerivationsWatchContextsOlderThanRegisterAfter(t *testing.T) {
	t.Parallel()
	tr := New(Options{})
	old, cancelOld := tr.WithCancel(context.Background())
	defer cancelOld()
	s := siteOf(t, tr, kindCancel)
	s.mu.Lock()
	if s.head == nil || s.head.watching || s.firstPending != s.head {
		t.Errorf("a new context is watched already")
	}
	s.mu.Unlock()

	time.Sleep(time.Duration(registerAfter + sweepEvery))
	// A tracked derivation, at any site, sweeps.
	young, cancelYoung := tr.WithTimeout(context.Background(), time.Hour)
	defer cancelYoung()

	s.mu.Lock()
	if !s.head.watching || s.head.pending != nil || s.firstPending != nil {
		t.Errorf("the old context is not watched: watching %v, pending %v", s.head.watching, s.head.pending != nil)
	}
	s.mu.Unlock()
	ys := siteOf(t, tr, kindTimeout)
	ys.mu.Lock()
	if ys.head.watching || ys.firstPending != ys.head {
		t.Errorf("the young context is watched already")
	}
	ys.mu.Unlock()

	// Cancelling a watched context stops its watch and frees its node.
	cancelOld()
	s.mu.Lock()
	if s.head != nil || s.live != 0 || s.cancelled != 1 || s.nfree != 1 || s.free.watching {
		t.Errorf("after cancel: head %v, live %d, cancelled %d, free %d", s.head, s.live, s.cancelled, s.nfree)
	}
	s.mu.Unlock()
	_, _ = old, young
}

func TestFreeListIsBounded(t *testing.T) {
	t.Parallel()
	tr := New(Options{})
	var cancels []context.CancelFunc
	for i := 0; i < 2*maxFree; i++ {
		_, cancel := tr.WithCancel(context.Background())
		cancels = append(cancels, cancel)
	}
	for _, c := range cancels {
		c()
	}
	s := siteOf(t, tr, kindCancel)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nfree != maxFree || s.live != 0 || s.head != nil || s.tail != nil {
		t.Errorf("free %d, live %d", s.nfree, s.live)
	}
}

func TestUntrackedDerivationsAreContexts(t *testing.T) {
	t.Parallel()
	tr := New(Options{SampleRate: 1e-12})
	ctx, cancel := tr.WithCancel(context.Background())
	want, wcancel := context.WithCancel(context.Background())
	defer wcancel()
	cancel()
	if got, w := typeName(ctx), typeName(want); got != w {
		t.Errorf("untracked context is %s, want %s", got, w)
	}
	if len(*tr.sites.Load()) != 0 {
		t.Errorf("untracked derivation made a site")
	}
}

func typeName(v any) string { return reflect.TypeOf(v).String() }

func TestNilParentPanicsAsInPackageContext(t *testing.T) {
	t.Parallel()
	tr := New(Options{})
	defer func() {
		if r := recover(); r == nil || r != "cannot create context from nil parent" {
			t.Errorf("recovered %v", r)
		}
	}()
	tr.WithCancel(nil) //nolint:staticcheck // the nil parent is the point
}
