package ctxtrack

import (
	"runtime"
	"sync"
	"time"
)

const (
	// registerAfter is the age from which a live context is watched for
	// garbage collection; sweepEvery how often derivations look for such.
	registerAfter = int64(100 * time.Millisecond)
	sweepEvery    = int64(100 * time.Millisecond)
	// maxFree bounds the nodes a site keeps for reuse.
	maxFree = 256
)

// A site is one creation site: a program counter and a derivation kind.
type site struct {
	pc   uintptr
	kind kind

	mu           sync.Mutex
	head, tail   *node // live nodes, in creation order
	firstPending *node // first node of the list not yet watched for collection
	free         *node // reusable nodes, linked by next
	nfree        int
	created      int64
	cancelled    int64
	collected    int64
	live         int64

	once     sync.Once // resolves pc
	function string
	file     string
	line     int
}

// A node is one live tracked derivation. Nodes are reused: gen changes every
// time a node leaves the live list, so a late call of an old CancelFunc, or
// an old cleanup, is recognised and ignored.
type node struct {
	site       *site
	prev, next *node
	born       int64 // tracker clock
	gen        uint64
	pending    watchRef // held until the node is watched for collection
	watching   bool
	handle     watchHandle
}

// siteFor returns the site of (pc, k), adding it on first use.
func (t *Tracker) siteFor(pc uintptr, k kind) *site {
	key := uint64(pc)<<3 | uint64(k)
	if s := (*t.sites.Load())[key]; s != nil {
		return s
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.sites.Load()
	if s := old[key]; s != nil {
		return s
	}
	m := make(map[uint64]*site, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	s := &site{pc: pc, kind: k}
	m[key] = s
	t.sites.Store(&m)
	return s
}

// add appends a live node holding ref and returns it with its generation.
func (s *site) add(t *Tracker, ref watchRef) (*node, uint64) {
	now := t.now()
	s.mu.Lock()
	n := s.free
	if n != nil {
		s.free = n.next
		s.nfree--
	} else {
		n = &node{site: s}
	}
	if s.tail != nil && now < s.tail.born {
		now = s.tail.born // keep the list sorted by age
	}
	n.born = now
	n.pending = ref
	n.prev, n.next = s.tail, nil
	if s.tail != nil {
		s.tail.next = n
	} else {
		s.head = n
	}
	s.tail = n
	if s.firstPending == nil {
		s.firstPending = n
	}
	s.created++
	s.live++
	gen := n.gen
	s.mu.Unlock()
	if now >= t.nextSweep.Load() {
		t.maybeSweep(now)
	}
	return n, gen
}

// release removes n from the live list and keeps it for reuse. It returns the
// watch to stop, if any. s.mu must be held.
func (s *site) release(n *node) (h watchHandle, watching bool) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		s.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		s.tail = n.prev
	}
	if s.firstPending == n {
		s.firstPending = n.next
	}
	h, watching = n.handle, n.watching
	n.handle, n.watching = watchHandle{}, false
	n.pending = nil
	n.prev = nil
	n.gen++
	s.live--
	if s.nfree < maxFree {
		n.next = s.free
		s.free = n
		s.nfree++
	} else {
		n.next = nil
	}
	return h, watching
}

// cancel records the first call of the CancelFunc of generation gen.
func (n *node) cancel(gen uint64) {
	s := n.site
	s.mu.Lock()
	if n.gen != gen {
		s.mu.Unlock()
		return
	}
	s.cancelled++
	h, watching := s.release(n)
	s.mu.Unlock()
	if watching {
		unwatch(h)
	}
}

// collectedNode records that the context of n's generation gen was
// garbage-collected while its CancelFunc had not been called.
func (s *site) collectedNode(n *node, gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n.gen != gen {
		return // cancelled meanwhile
	}
	s.collected++
	s.release(n)
}

// watchPending watches the pending nodes born at or before cutoff (all of
// them when all is set) for garbage collection. s.mu must be held.
func (s *site) watchPending(cutoff int64, all bool) {
	n := s.firstPending
	for ; n != nil && (all || n.born <= cutoff); n = n.next {
		n.handle, n.watching = watch(s, n)
		n.pending = nil
	}
	s.firstPending = n
}

// maybeSweep runs a sweep if none ran for sweepEvery; one caller wins.
func (t *Tracker) maybeSweep(now int64) {
	next := t.nextSweep.Load()
	if now < next || !t.nextSweep.CompareAndSwap(next, now+sweepEvery) {
		return
	}
	t.sweep(now, false)
}

// sweep watches the pending nodes older than registerAfter, or all of them.
func (t *Tracker) sweep(now int64, all bool) {
	for _, s := range *t.sites.Load() {
		s.mu.Lock()
		s.watchPending(now-registerAfter, all)
		s.mu.Unlock()
	}
}

// resolve turns the site's program counter into function, file and line.
func (s *site) resolve() {
	s.once.Do(func() {
		f, _ := runtime.CallersFrames([]uintptr{s.pc}).Next()
		s.function, s.file, s.line = f.Function, f.File, f.Line
	})
}
