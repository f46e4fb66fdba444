// Package ctxtrack finds leaked contexts in a running Go service.
//
// The functions WithCancel, WithCancelCause, WithTimeout, WithTimeoutCause,
// WithDeadline and WithDeadlineCause are drop-in replacements for the ones of
// package context: same signatures, same contexts (the returned context is the
// one package context made), but each derivation is counted at its creation
// site, the line that called WithX. A Tracker keeps, for every site:
//
//   - created: derivations tracked since start;
//   - cancelled: those whose CancelFunc was called;
//   - collected uncancelled: those garbage-collected while their CancelFunc had
//     never been called;
//   - live: the others, with the number older than MaxAge and the age of the
//     oldest.
//
// A context whose CancelFunc is never called stays reachable from its parent
// (package context keeps it in the parent's list of children) until the parent
// is cancelled, so under a long-lived parent it stays live and its age grows
// past MaxAge: that is the typical leak. A context whose parent is dropped too
// can be garbage-collected; it is then counted as collected uncancelled.
//
// # Serving the report
//
// Tracker.Report returns the counts; Tracker.Handler serves them as JSON
// (GET only). Services mount the Default tracker's handler at Path, beside
// net/http/pprof:
//
//	mux.Handle(ctxtrack.Path, ctxtrack.Handler())
//
// # Cost and sampling
//
// A tracked derivation costs one runtime.Callers call for one program counter,
// a lock-free site lookup, a short per-site critical section and one
// allocation (the wrapping CancelFunc) on top of the derivation itself; the
// program counter is resolved to function, file and line only when a report
// is made. runtime.Callers is most of that cost. Before Go 1.24 a tracked
// derivation allocates two more objects: it is made from a thin wrapper of the
// parent that refers to the object the finalizer watches (a finalizer cannot
// watch the context itself, which its parent's list of children makes part of
// a cycle). Options.SampleRate tracks only a share of derivations; an untracked
// derivation costs a random number draw and is otherwise exactly the package
// context call. Counts are of tracked derivations, unscaled: divide by the
// sample rate to estimate totals.
//
// Watching for garbage collection (runtime.AddCleanup on Go 1.24 and later,
// runtime.SetFinalizer before) costs far more than the derivation, so it is
// deferred: a tracked context is registered only once it has lived 100 ms.
// Tracked derivations look for such contexts, at most every 100 ms, and
// Report registers every live context.
// Until then the tracker holds it, so a context that is dropped before being
// registered is collected a little later than it would be otherwise. Most
// contexts are cancelled within milliseconds and never pay for it.
//
// # Oldest age and over max age
//
// Each site keeps its live contexts in a list in creation order. The oldest
// age is read from the head of the list; the number over MaxAge is counted by
// walking from the head while contexts are older than MaxAge, so a report's
// cost grows with the number of contexts over MaxAge, never with the number of
// younger live ones.
//
// # Scopes
//
// A Scope records every derivation made through this package from a context
// that carries it, whatever the sampling. Package ctxguard.dev/go/ctxtest uses
// scopes to report, at the end of a test, the contexts whose CancelFunc was
// never called.
package ctxtrack
