package ctxtrack_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"ctxguard.dev/go/ctxtrack"
)

// The benchmarks derive from a cancellable parent and cancel at once, as a
// request handler does, calling the functions directly (not through a func
// value) as services do. "context" is package context, "full" a Tracker that
// tracks every derivation, "sample0.01" one that tracks 1 %.

func BenchmarkWithCancel(b *testing.B) {
	parent, stop := context.WithCancel(context.Background())
	defer stop()
	b.Run("context", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, cancel := context.WithCancel(parent)
			cancel()
		}
	})
	for _, c := range []struct {
		name string
		rate float64
	}{{"full", 1}, {"sample0.01", 0.01}} {
		tr := ctxtrack.New(ctxtrack.Options{SampleRate: c.rate})
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, cancel := tr.WithCancel(parent)
				cancel()
			}
		})
	}
}

func BenchmarkWithTimeout(b *testing.B) {
	parent, stop := context.WithCancel(context.Background())
	defer stop()
	b.Run("context", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, cancel := context.WithTimeout(parent, time.Hour)
			cancel()
		}
	})
	for _, c := range []struct {
		name string
		rate float64
	}{{"full", 1}, {"sample0.01", 0.01}} {
		tr := ctxtrack.New(ctxtrack.Options{SampleRate: c.rate})
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, cancel := tr.WithTimeout(parent, time.Hour)
				cancel()
			}
		})
	}
}

// BenchmarkWithCancelParallel derives at one site from every P at once, the
// worst case for the per-site lock.
func BenchmarkWithCancelParallel(b *testing.B) {
	parent, stop := context.WithCancel(context.Background())
	defer stop()
	b.Run("context", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, cancel := context.WithCancel(parent)
				cancel()
			}
		})
	})
	for _, c := range []struct {
		name string
		rate float64
	}{{"full", 1}, {"sample0.01", 0.01}} {
		tr := ctxtrack.New(ctxtrack.Options{SampleRate: c.rate})
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_, cancel := tr.WithCancel(parent)
					cancel()
				}
			})
		})
	}
}

// BenchmarkRuntimeCallers is runtime.Callers for one program counter, one
// frame up: the floor of a tracked derivation's extra cost on this machine.
func BenchmarkRuntimeCallers(b *testing.B) {
	b.ReportAllocs()
	var pc [1]uintptr
	for i := 0; i < b.N; i++ {
		runtime.Callers(2, pc[:])
	}
}
