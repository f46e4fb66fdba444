package main

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// How a target's goroutine count for one stack is decided.
type countKind int

const (
	kFixed   countKind = iota // long-lived: n goroutines with stable IDs
	kNoisy                    // short-lived: base±amp, redrawn every time bucket
	kPairOf                   // as many as the slot ref (HTTP client read/write loops)
	kBgRead                   // one per request in flight, the profile request included
	kRunning                  // the request serving the profile
	kLeak                     // the leak: grows with time on leaky targets
)

type slot struct {
	st        *stack
	kind      countKind
	n         int     // kFixed
	base, amp int     // kNoisy
	ref       int     // kPairOf
	ids       []int64 // kFixed: the goroutines' IDs, assigned at "startup"
	inflight  bool    // a server request: has a background reader
	transient bool
}

// target is one virtual service: a fixed set of stacks, and counts that are
// a pure function of (seed, target, time bucket).
type target struct {
	idx    int
	leaky  bool
	seed   uint64
	uptime time.Duration // how long the service had run when fakepprof started
	slots  []slot

	mu   sync.Mutex
	last *snap
}

// snap is a target's state in one time bucket, and its renderings.
type snap struct {
	bucket int64
	counts []int
	gs     []gor // every goroutine but the running one, by ID
	run    gor
	d1, d2 []byte
}

type gor struct {
	id, parent int64
	minutes    int64
	slot       int
}

// Goroutine IDs: long-lived ones are below idBase; above it, leaked
// goroutine j is idBase+8j+5 (its dead creator +4), and short-lived ones
// use the other residues mod 8, advancing with the time bucket. IDs are
// thus unique in a snapshot, and leaked ones keep theirs forever.
const idBase = 200

var transientResidues = [...]int64{0, 1, 2, 3, 6, 7}

const transientPerBucket = 16 * len(transientResidues)

func newTarget(idx int, leaky bool, seed int64) *target {
	t := &target{idx: idx, leaky: leaky, seed: mix(uint64(seed), uint64(int64(idx))+0x9e3779b97f4a7c15)}
	r := rand.New(rand.NewPCG(t.seed, 0x5eed))
	t.uptime = time.Duration(5+r.IntN(115)) * time.Minute

	fixed := func(st *stack, n int) { t.slots = append(t.slots, slot{st: st, kind: kFixed, n: n}) }
	fixed(stMain, 1)
	fixed(stSignal, 1)
	fixed(stDBOpener, 1)
	fixed(stWorker, []int{8, 12, 16, 24, 32}[r.IntN(5)])
	fixed(stFlush, 1)
	fixed(stJanitor, 1)
	fixed(stConfig, 2+r.IntN(5))
	fixed(stHeartbeat, 1)
	fixed(stFeed, 1+r.IntN(4))
	fixed(stAudit, 1)
	picked := 0
	for i, e := range extras {
		if r.IntN(10) < 7 || len(extras)-i <= 5-picked { // 70%, at least 5
			picked++
			n := 1
			if strings.Contains(e.name, "eventBus") {
				n = 4
			}
			fixed(e, n)
		}
	}
	noisy := func(st *stack, base, amp int, inflight bool) {
		t.slots = append(t.slots, slot{st: st, kind: kNoisy, base: base, amp: amp, inflight: inflight, transient: true})
	}
	noisy(stIdleConn, 3+r.IntN(8), 3, false)
	noisy(stQuoteReq, 1, 1, true)
	noisy(stOrderReq, 0, 1, true)
	noisy(stAccountReq, 0, 1, true)
	noisy(stReadLoop, 2+r.IntN(3), 1, false)
	t.slots = append(t.slots,
		slot{st: stWriteLoop, kind: kPairOf, ref: len(t.slots) - 1, transient: true},
		slot{st: stBgRead, kind: kBgRead, transient: true},
		slot{st: stRunning, kind: kRunning, inflight: true, transient: true})
	if leaky {
		t.slots = append(t.slots, slot{st: stLeak, kind: kLeak})
	}

	// Long-lived goroutines were started in this order at boot.
	next := int64(2)
	for i := range t.slots {
		s := &t.slots[i]
		if s.kind != kFixed {
			continue
		}
		for range s.n {
			if s.st == stMain {
				s.ids = append(s.ids, 1)
				continue
			}
			s.ids = append(s.ids, next)
			next += 1 + int64(r.IntN(3))
		}
	}
	return t
}

// mix is splitmix64's finaliser over two words.
func mix(a, b uint64) uint64 {
	z := a ^ (b + 0x9e3779b97f4a7c15 + (a << 6) + (a >> 2))
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// leaked is how many goroutines a leaky target has leaked after elapsed.
func leaked(elapsed time.Duration, perMinute float64) int {
	if elapsed <= 0 || perMinute <= 0 {
		return 0
	}
	return int(elapsed.Seconds() * perMinute / 60)
}

// state computes the target's goroutines in bucket b (elapsed since start).
func (t *target) state(b int64, elapsed time.Duration, perMinute float64) *snap {
	sn := &snap{bucket: b, counts: make([]int, len(t.slots))}
	upMin := int64((t.uptime + elapsed) / time.Minute)
	transient := 0
	nextTransient := func() (id, deadParent int64) {
		m := b*int64(transientPerBucket/len(transientResidues)) + int64(transient/len(transientResidues))
		id = idBase + 8*m + transientResidues[transient%len(transientResidues)]
		transient++
		return id, idBase + 8*m + 4
	}
	var requests []int64 // in-flight request goroutines, for their background readers
	var bg int           // index of the background reader slot
	for i := range t.slots {
		s := &t.slots[i]
		n := 0
		switch s.kind {
		case kFixed:
			n = s.n
			for _, id := range s.ids {
				g := gor{id: id, parent: 1, slot: i}
				if s.st.minutes {
					g.minutes = upMin
				}
				sn.gs = append(sn.gs, g)
			}
		case kNoisy, kPairOf, kRunning:
			switch s.kind {
			case kNoisy:
				h := mix(t.seed, uint64(i)<<40^uint64(b))
				n = max(0, s.base+int(h%uint64(2*s.amp+1))-s.amp)
			case kPairOf:
				n = sn.counts[s.ref]
			default:
				n = 1
			}
			for range n {
				id, dead := nextTransient()
				g := gor{id: id, parent: 1, slot: i}
				if s.st.creator != createdByServe {
					g.parent = dead
				}
				if s.inflight {
					requests = append(requests, id)
				}
				if s.kind == kRunning {
					sn.run = g
				} else {
					sn.gs = append(sn.gs, g)
				}
			}
		case kBgRead:
			bg = i
		case kLeak:
			n = leaked(elapsed, perMinute)
			for j := range n {
				born := time.Duration(float64(j) * 60 / perMinute * float64(time.Second))
				sn.gs = append(sn.gs, gor{
					id: idBase + 8*int64(j) + 5, parent: idBase + 8*int64(j) + 4,
					minutes: int64((elapsed - born) / time.Minute), slot: i,
				})
			}
		}
		sn.counts[i] = n
	}
	// The running slot comes last among the in-flight ones: its reader too.
	for _, parent := range requests {
		id, _ := nextTransient()
		sn.gs = append(sn.gs, gor{id: id, parent: parent, slot: bg})
	}
	sn.counts[bg] = len(requests)
	slices.SortFunc(sn.gs, func(a, b gor) int { return int(a.id - b.id) })
	return sn
}

// debug1 renders the snapshot as goroutine?debug=1: runtime/pprof's
// printCountProfile, stacks sorted by count, then by their "@ pcs" key.
func (t *target) debug1(sn *snap) []byte {
	order := make([]int, 0, len(t.slots))
	total := 0
	for i, n := range sn.counts {
		if n > 0 {
			order = append(order, i)
			total += n
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		if ca, cb := sn.counts[a], sn.counts[b]; ca != cb {
			return cb - ca
		}
		return strings.Compare(t.slots[a].st.key, t.slots[b].st.key)
	})
	var b bytes.Buffer
	b.Grow(256 * len(order))
	b.WriteString("goroutine profile: total ")
	b.WriteString(strconv.Itoa(total))
	b.WriteByte('\n')
	for _, i := range order {
		st := t.slots[i].st
		b.WriteString(strconv.Itoa(sn.counts[i]))
		b.WriteByte(' ')
		b.WriteString(st.key)
		b.WriteByte('\n')
		b.Write(st.block1)
	}
	return b.Bytes()
}

// debug2 renders the snapshot as goroutine?debug=2 (runtime.Stack(all)):
// the running goroutine first, then the others, by ID.
func (t *target) debug2(sn *snap) []byte {
	var b []byte
	b = t.appendGoroutine(b, sn.run)
	for _, g := range sn.gs {
		b = append(b, '\n')
		b = t.appendGoroutine(b, g)
	}
	return b
}

func (t *target) appendGoroutine(b []byte, g gor) []byte {
	st := t.slots[g.slot].st
	b = append(b, "goroutine "...)
	b = strconv.AppendInt(b, g.id, 10)
	b = append(b, " ["...)
	b = append(b, st.state...)
	if g.minutes >= 1 {
		b = append(b, ", "...)
		b = strconv.AppendInt(b, g.minutes, 10)
		b = append(b, " minutes"...)
	}
	b = append(b, "]:\n"...)
	b = append(b, st.body2...)
	if st.creator != nil {
		b = append(b, st.cpre...)
		b = strconv.AppendInt(b, g.parent, 10)
		b = append(b, st.csuf...)
	}
	return b
}

// render returns the target's debug=1 or debug=2 body at elapsed, from the
// cache when this time bucket was rendered already.
func (t *target) render(elapsed, bucket time.Duration, perMinute float64, debug int) []byte {
	b := int64(elapsed / bucket)
	elapsed = time.Duration(b) * bucket
	t.mu.Lock()
	defer t.mu.Unlock()
	sn := t.last
	if sn == nil || sn.bucket != b {
		sn = t.state(b, elapsed, perMinute)
		t.last = sn
	}
	if debug == 1 {
		if sn.d1 == nil {
			sn.d1 = t.debug1(sn)
		}
		return sn.d1
	}
	if sn.d2 == nil {
		sn.d2 = t.debug2(sn)
	}
	return sn.d2
}
