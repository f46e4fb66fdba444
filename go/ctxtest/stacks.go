package ctxtest

import (
	"runtime"
	"strconv"
	"strings"
)

// A goroutine as runtime.Stack(buf, true) prints it.
type goroutine struct {
	id        int64
	state     string     // inside the brackets, e.g. "chan receive, 2 minutes"
	frames    []frame    // innermost first
	createdBy frame      // the go statement's function and location
	parent    int64      // "created by ... in goroutine N"; 0 when not given
	ancestors []ancestor // "[originating from goroutine N]" (GODEBUG=tracebackancestors=N), nearest first
	raw       []string   // the block's lines, for messages
}

// An ancestor is a goroutine, maybe gone, on the way from a goroutine to the
// one that started its line, with the function that started it.
type ancestor struct {
	id        int64
	createdBy string
}

// A frame is a function and its file:line (without the pc offset).
type frame struct {
	function string
	location string
}

// stacks returns the text of runtime.Stack(all).
func stacks() string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// currentID returns the id of the calling goroutine.
func currentID() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	id, _ := headerID(string(buf[:n]))
	return id
}

// headerID parses "goroutine N [" at the start of s.
func headerID(s string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, "goroutine ")
	if !ok {
		return 0, false
	}
	i := strings.IndexByte(rest, ' ')
	if i < 0 {
		return 0, false
	}
	id, err := strconv.ParseInt(rest[:i], 10, 64)
	return id, err == nil
}

// parse splits a dump into goroutines. Unknown lines are kept in raw and
// otherwise ignored, so that a format change degrades to missing details,
// never to a panic.
func parse(dump string) []goroutine {
	var gs []goroutine
	for _, block := range strings.Split(strings.TrimSpace(dump), "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) == 0 {
			continue
		}
		id, ok := headerID(lines[0])
		if !ok {
			continue
		}
		g := goroutine{id: id, raw: lines}
		// "goroutine 7 [chan receive]:" or "goroutine 7 gp=0x... m=nil [chan receive]:"
		if i, j := strings.IndexByte(lines[0], '['), strings.LastIndexByte(lines[0], ']'); i >= 0 && j > i {
			g.state = lines[0][i+1 : j]
		}
		inAncestor := false
		for k := 1; k < len(lines); k++ {
			line := lines[k]
			switch {
			case strings.HasPrefix(line, "[originating from goroutine "):
				n := strings.TrimSuffix(strings.TrimPrefix(line, "[originating from goroutine "), "]:")
				if a, err := strconv.ParseInt(n, 10, 64); err == nil {
					g.ancestors = append(g.ancestors, ancestor{id: a})
				}
				inAncestor = true
			case inAncestor:
				// An ancestor's frames when it started the next goroutine down,
				// then "created by F" (F started the ancestor).
				if fn, ok := strings.CutPrefix(line, "created by "); ok && len(g.ancestors) > 0 {
					if i := strings.LastIndex(fn, " in goroutine "); i >= 0 {
						fn = fn[:i]
					}
					g.ancestors[len(g.ancestors)-1].createdBy = fn
				}
			case strings.HasPrefix(line, "created by "):
				fn := strings.TrimPrefix(line, "created by ")
				if i := strings.LastIndex(fn, " in goroutine "); i >= 0 {
					g.parent, _ = strconv.ParseInt(fn[i+len(" in goroutine "):], 10, 64)
					fn = fn[:i]
				}
				g.createdBy.function = fn
				if k+1 < len(lines) && strings.HasPrefix(lines[k+1], "\t") {
					g.createdBy.location = location(lines[k+1])
					k++
				}
			case strings.HasPrefix(line, "\t"):
				// a location without a function line before it: ignore
			case strings.HasPrefix(line, "..."):
				// "...additional frames elided..."
			default:
				f := frame{function: funcName(line)}
				if k+1 < len(lines) && strings.HasPrefix(lines[k+1], "\t") {
					f.location = location(lines[k+1])
					k++
				}
				g.frames = append(g.frames, f)
			}
		}
		gs = append(gs, g)
	}
	return gs
}

// funcName strips the argument list of a frame's function line:
// "pkg.(*T).M(0x1, ...)" is "pkg.(*T).M".
func funcName(line string) string {
	if strings.HasSuffix(line, ")") {
		if i := strings.LastIndexByte(line, '('); i > 0 {
			return line[:i]
		}
	}
	return line
}

// location strips the tab and the pc offset: "\t/a/b.go:12 +0x1d" is "/a/b.go:12".
func location(line string) string {
	line = strings.TrimSpace(line)
	if i := strings.LastIndex(line, " +0x"); i >= 0 {
		line = line[:i]
	}
	return line
}

// stateName is the state without its details: "chan receive, 2 minutes" is
// "chan receive"; "running, locked to thread" is "running".
func (g *goroutine) stateName() string {
	s, _, _ := strings.Cut(g.state, ",")
	return strings.TrimSpace(s)
}

// active tells whether the goroutine is running or about to: it may still
// finish on its own. Waiting for a lock counts as active: locks are usually
// held briefly, often by goroutines outside the test, so a goroutine queued
// on one is given the same bounded wait as a running one. So does a
// goroutine in time.Sleep: it wakes by itself (a last short pause before
// exiting would otherwise fail the test depending on timing).
func (g *goroutine) active() bool {
	switch g.stateName() {
	case "running", "runnable", "syscall", "preempted", "copystack", "sleep",
		"sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock":
		return true
	}
	return false
}

// system tells whether the runtime, package testing or package os/signal
// (its one process-wide loop, started by the first signal.Notify) started the
// goroutine, or it cannot be attributed: a timer's function (time.AfterFunc)
// runs in a goroutine whose "created by" names whichever goroutine happened to
// run the timer.
func (g *goroutine) system() bool { return systemCreator(g.createdBy.function) }

func systemCreator(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "runtime/") ||
		strings.HasPrefix(fn, "testing.") || strings.HasPrefix(fn, "os/signal.") ||
		fn == "time.goFunc"
}
