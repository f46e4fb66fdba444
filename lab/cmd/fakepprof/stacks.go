package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// The stacks below are transcribed from a real Go 1.26 linux/amd64 service
// (net/http with net/http/pprof, database/sql, os/signal), built with its
// sources under /src/quotesvc and GOROOT /usr/local/go: every standard
// library frame, PC, offset and argument list is as that binary printed it.
// The quotesvc application frames are synthesised the same way (a function
// entry, a return-PC offset), so that debug=1 and debug=2 agree exactly.

// frame is one frame as both formats print it.
type frame struct {
	fn    string // function name
	args  string // debug=2 argument list, "(...)" for an inlined frame
	file  string
	line  int
	pc    uint64 // the PC in debug=1's "@" list; its "#" line shows pc-1
	off1  uint64 // debug=1 offset of pc-1 from the function's entry
	off2  int64  // debug=2 offset ("+0x..."); -1: inlined, printed without
	only1 bool   // printed by debug=1 only (runtime.main)
}

const goexitPC = 0x4918e1 // runtime.goexit: last PC of every debug=1 stack

func std(fn, args, file string, line int, pc, off1 uint64, off2 int64) frame {
	return frame{fn: fn, args: args, file: "/usr/local/go/src/" + file, line: line, pc: pc, off1: off1, off2: off2}
}

// app is a non-inlined application frame: entry+off is its return PC.
func app(fn, args, file string, line int, entry, off uint64) frame {
	return frame{fn: fn, args: args, file: "/src/quotesvc/" + file, line: line, pc: entry + off, off1: off - 1, off2: int64(off)}
}

// creator is a "created by" frame: only fn, file, line and off2 are used.
func creatorStd(fn, file string, line int, off int64) *frame {
	return &frame{fn: fn, file: "/usr/local/go/src/" + file, line: line, off2: off}
}

func creatorApp(fn, file string, line int, off int64) *frame {
	return &frame{fn: fn, file: "/src/quotesvc/" + file, line: line, off2: off}
}

// Leading runtime PCs that neither format prints, by how a goroutine parks.
var (
	pcChanSend  = []uint64{0x48a06e, 0x4195bc, 0x4191b7} // gopark, chansend, chansend1
	pcChanRecv  = []uint64{0x48a06e, 0x41a5ae, 0x41a0d2} // gopark, chanrecv, chanrecv1
	pcChanRange = []uint64{0x48a06e, 0x41a5ae, 0x41a0f2} // gopark, chanrecv, chanrecv2
	pcSelect    = []uint64{0x48a06e, 0x466e85}           // gopark, selectgo
	pcPark      = []uint64{0x48a06e}                     // gopark (time.Sleep, netpoll)
	pcNetpoll   = []uint64{0x48a06e, 0x44c197}           // gopark, netpollblock
	pcSema      = []uint64{0x48a06e, 0x467d12, 0x467ce9} // gopark, semacquire1 (inlined chain)
	pcNotify    = []uint64{0x48a06e, 0x48b8f3}           // gopark, notifyListWait's inlined park
	pcSigRecv   = []uint64{0x4209a9}                     // notetsleepg
	pcProfile   = []uint64{0x448cb1, 0x488e9d}           // goroutineProfileWithLabels, pprof_goroutineProfileWithLabels
)

// The netpoll read chain down to net.(*conn).Read.
var connRead = []frame{
	std("internal/poll.runtime_pollWait", "(0x7f13e8893800, 0x72)", "runtime/netpoll.go", 351, 0x489245, 0x84, 0x85),
	std("internal/poll.(*pollDesc).wait", "(0x32ba1e068000?, 0x32ba1e07c000?, 0x0)", "internal/poll/fd_poll_runtime.go", 84, 0x4d6647, 0x26, 0x27),
	std("internal/poll.(*pollDesc).waitRead", "(...)", "internal/poll/fd_poll_runtime.go", 89, 0x4d714e, 0x2ad, -1),
	std("internal/poll.(*FD).Read", "(0x32ba1e068000, {0x32ba1e07c000, 0x1000, 0x1000})", "internal/poll/fd_unix.go", 165, 0x4d713c, 0x29b, 0x2ae),
	std("net.(*netFD).Read", "(0x32ba1e068000, {0x32ba1e07c000?, 0x4d6aa0?, 0x32ba1e068000?})", "net/fd_posix.go", 68, 0x50ff25, 0x24, 0x25),
	std("net.(*conn).Read", "(0x32ba1dffa030, {0x32ba1e07c000?, 0x0?, 0x72?})", "net/net.go", 196, 0x518cc5, 0x44, 0x45),
}

// A server handler's callers, below the handler itself.
var serverCallers = []frame{
	std("net/http.(*ServeMux).ServeHTTP", "(0x4870d9?, {0x7e3998, 0x32ba1e1a0000}, 0x32ba1e07e140)", "net/http/server.go", 2828, 0x658567, 0x1c6, 0x1c7),
	std("net/http.serverHandler.ServeHTTP", "({0x32ba1e07a1c0?}, {0x7e3998?, 0x32ba1e1a0000?}, 0x1?)", "net/http/server.go", 3311, 0x6735ce, 0x8d, 0x8e),
	std("net/http.(*conn).serve", "(0x32ba1e06c240, {0x7e3ec8, 0x32ba1e0a72c0})", "net/http/server.go", 2067, 0x654b90, 0x68f, 0x690),
}

var createdByServe = creatorStd("net/http.(*Server).Serve", "net/http/server.go", 3464, 0x485)

func cat(parts ...[]frame) []frame {
	var out []frame
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// stack is a goroutine group's shape: how it parks and what it runs.
type stack struct {
	name    string
	state   string
	hidden  []uint64
	frames  []frame
	frames2 []frame // debug=2 frames when they differ (the running goroutine)
	creator *frame  // nil: goroutine 1
	minutes bool    // idle since the service started: debug=2 shows "N minutes"

	// Precomputed by compile.
	key    string // "@ 0x... 0x..." as debug=1 prints and sorts it
	block1 []byte // the "#" lines as debug=1's tabwriter aligns them, and the blank line
	body2  []byte // the frames as debug=2 prints them
	cpre   []byte // "created by F in goroutine "
	csuf   []byte // "\n\tfile:line +0x..\n"
}

func (s *stack) compile() {
	var key strings.Builder
	key.WriteString("@")
	for _, pc := range s.hidden {
		fmt.Fprintf(&key, " %#x", pc)
	}
	for _, f := range s.frames {
		fmt.Fprintf(&key, " %#x", f.pc)
	}
	fmt.Fprintf(&key, " %#x", uint64(goexitPC))
	s.key = key.String()

	// Same writer settings as runtime/pprof's printCountProfile. The
	// "N @ ..." lines between groups have no tab, so each group's "#"
	// lines are a column block of their own and can be aligned alone.
	var b1 strings.Builder
	tw := tabwriter.NewWriter(&b1, 1, 8, 1, '\t', 0)
	for _, f := range s.frames {
		fmt.Fprintf(tw, "#\t%#x\t%s+%#x\t%s:%d\n", f.pc-1, f.fn, f.off1, f.file, f.line)
	}
	fmt.Fprintf(tw, "\n")
	tw.Flush()
	s.block1 = []byte(b1.String())

	frames2 := s.frames2
	if frames2 == nil {
		frames2 = s.frames
	}
	var b2 strings.Builder
	for _, f := range frames2 {
		if f.only1 {
			continue
		}
		fmt.Fprintf(&b2, "%s%s\n\t%s:%d", f.fn, f.args, f.file, f.line)
		if f.off2 >= 0 {
			fmt.Fprintf(&b2, " +%#x", f.off2)
		}
		b2.WriteString("\n")
	}
	s.body2 = []byte(b2.String())
	if c := s.creator; c != nil {
		s.cpre = []byte("created by " + c.fn + " in goroutine ")
		s.csuf = []byte(fmt.Sprintf("\n\t%s:%d +%#x\n", c.file, c.line, c.off2))
	}
}

// Application function entries (quotesvc's text segment, after the
// standard library).
const (
	eMain          = 0x6b4a40
	eQuoteServe    = 0x6b1200
	eQuoteFetch    = 0x6b1400
	eQuoteFunc1    = 0x6b1600
	eOrderServe    = 0x6b1c00
	eOrderApply    = 0x6b1e00
	eAccountServe  = 0x6b2000
	eAccountLoad   = 0x6b2100
	eWorker        = 0x6b2200
	eFlush         = 0x6b2400
	eJanitor       = 0x6b2600
	eConfigWait    = 0x6b2800
	eHeartbeat     = 0x6b2a00
	eFeedConsume   = 0x6b2c00
	eAuditRun      = 0x6b2e00
	eExtrasStart   = 0x6b3000
	eExtrasSpacing = 0x100
)

// LeakFile and LeakLine: where every leaky target's leaked goroutines park.
const (
	LeakFunc = "main.(*quoteHandler).fetch.func1"
	LeakFile = "/src/quotesvc/quotes.go"
	LeakLine = 48
)

var (
	stMain = &stack{name: "main", state: "IO wait", hidden: pcNetpoll, frames: []frame{
		connRead[0],
		std("internal/poll.(*pollDesc).wait", "(0x32ba1e0d6100?, 0x900000036?, 0x0)", "internal/poll/fd_poll_runtime.go", 84, 0x4d6647, 0x26, 0x27),
		std("internal/poll.(*pollDesc).waitRead", "(...)", "internal/poll/fd_poll_runtime.go", 89, 0x4d7c6c, 0x28b, -1),
		std("internal/poll.(*FD).Accept", "(0x32ba1e0d6100)", "internal/poll/fd_unix.go", 613, 0x4d7c5a, 0x279, 0x28c),
		std("net.(*netFD).accept", "(0x32ba1e0d6100)", "net/fd_unix.go", 150, 0x510e69, 0x28, 0x29),
		std("net.(*TCPListener).accept", "(0x32ba1e086280)", "net/tcpsock_posix.go", 159, 0x52077b, 0x1a, 0x1b),
		std("net.(*TCPListener).Accept", "(0x32ba1e086280)", "net/tcpsock.go", 387, 0x51fb50, 0x2f, 0x30),
		std("net/http.(*Server).Serve", "(0x32ba1e0de200, {0x7e37e8, 0x32ba1e086280})", "net/http/server.go", 3434, 0x65984c, 0x30b, 0x30c),
		app("main.main", "()", "main.go", 97, eMain, 0x2c5),
		{fn: "runtime.main", file: "/usr/local/go/src/runtime/proc.go", line: 290, pc: 0x453675, off1: 0x2d4, off2: 0x2d5, only1: true},
	}}

	stSignal = &stack{name: "signal", state: "syscall", hidden: pcSigRecv, minutes: true, frames: []frame{
		std("os/signal.signal_recv", "()", "runtime/sigqueue.go", 152, 0x48c298, 0x97, 0x98),
		std("os/signal.loop", "()", "os/signal/signal_unix.go", 23, 0x6af393, 0x12, 0x13),
	}, creator: creatorStd("os/signal.Notify.func1.1", "os/signal/signal.go", 152, 0x1f)}

	stDBOpener = &stack{name: "dbopener", state: "select", hidden: pcSelect, minutes: true, frames: []frame{
		std("database/sql.(*DB).connectionOpener", "(0x32ba1e0ad2b0, {0x7e3f00, 0x32ba1e0e02d0})", "database/sql/sql.go", 1261, 0x4f0a09, 0x88, 0x89),
	}, creator: creatorStd("database/sql.OpenDB", "database/sql/sql.go", 841, 0x130)}

	stWorker = &stack{name: "worker", state: "chan receive", hidden: pcChanRange, frames: []frame{
		app("main.(*workerPool).worker", "(0x32ba1e0b4000, 0x3)", "pool.go", 35, eWorker, 0x79),
	}, creator: creatorApp("main.newWorkerPool", "pool.go", 24, 0x6d)}

	stFlush = &stack{name: "flush", state: "select", hidden: pcSelect, frames: []frame{
		app("main.(*metrics).flushLoop", "(0x32ba1e0b6000, {0x7e3ec8, 0x32ba1e0a72c0})", "metrics.go", 58, eFlush, 0xb6),
	}, creator: creatorApp("main.main", "main.go", 71, 0x1f5)}

	stJanitor = &stack{name: "janitor", state: "select", hidden: pcSelect, frames: []frame{
		app("main.(*quoteCache).janitor", "(0x32ba1e0b8000)", "cache.go", 88, eJanitor, 0xd3),
	}, creator: creatorApp("main.newQuoteCache", "cache.go", 40, 0x13c)}

	stConfig = &stack{name: "config", state: "sync.Cond.Wait", hidden: pcNotify, minutes: true, frames: []frame{
		std("sync.runtime_notifyListWait", "(0x32ba1e0ba050, 0x0)", "runtime/sema.go", 617, 0x48b8d3, 0x192, 0x1b3),
		std("sync.(*Cond).Wait", "(0x32ba1e0ba040)", "sync/cond.go", 71, 0x495fd3, 0x72, 0x73),
		app("main.(*configWatcher).wait", "(0x32ba1e0ba000, {0x7e3ec8, 0x32ba1e0a72c0})", "config.go", 47, eConfigWait, 0x5e),
	}, creator: creatorApp("main.(*configStore).Watch", "config.go", 31, 0x9a)}

	stHeartbeat = &stack{name: "heartbeat", state: "sleep", hidden: pcPark, frames: []frame{
		std("time.Sleep", "(0x12a05f200)", "runtime/time.go", 363, 0x48e0e5, 0x164, 0x165),
		app("main.heartbeat", "({0x7e3ec8, 0x32ba1e0a72c0}, 0x32ba1e0bc000)", "health.go", 19, eHeartbeat, 0x3d),
	}, creator: creatorApp("main.main", "main.go", 75, 0x2a5)}

	stFeed = &stack{name: "feed", state: "select", hidden: pcSelect, frames: []frame{
		app("main.(*priceFeed).consume", "(0x32ba1e0be000, {0x7e3ec8, 0x32ba1e0a72c0}, 0x2)", "feed.go", 102, eFeedConsume, 0x14a),
	}, creator: creatorApp("main.(*priceFeed).Start", "feed.go", 60, 0x8c)}

	stAudit = &stack{name: "audit", state: "chan receive", hidden: pcChanRecv, frames: []frame{
		app("main.(*auditLog).run", "(0x32ba1e0c0000)", "audit.go", 29, eAuditRun, 0x45),
	}, creator: creatorApp("main.newAuditLog", "audit.go", 21, 0x7b)}

	// Short-lived goroutines: idle keep-alive connections, requests in
	// flight (each with the connection's background reader), HTTP client
	// connections, and the request being served the profile itself.
	stIdleConn = &stack{name: "idleconn", state: "IO wait", hidden: pcNetpoll, frames: cat(connRead, []frame{
		std("net/http.(*connReader).Read", "(0x32ba1e07a000, {0x32ba1e07c000, 0x1000, 0x1000})", "net/http/server.go", 812, 0x64edd4, 0x153, 0x154),
		std("bufio.(*Reader).fill", "(0x32ba1e066060)", "bufio/bufio.go", 113, 0x5e1723, 0x102, 0x103),
		std("bufio.(*Reader).Peek", "(0x32ba1e066060, 0x4)", "bufio/bufio.go", 152, 0x5e1853, 0x52, 0x53),
		std("net/http.(*conn).serve", "(0x32ba1e06c000, {0x7e3ec8, 0x32ba1e0a72c0})", "net/http/server.go", 2103, 0x654cf3, 0x7f2, 0x7f3),
	}), creator: createdByServe}

	stBgRead = &stack{name: "bgread", state: "IO wait", hidden: pcNetpoll, frames: cat(connRead, []frame{
		std("net/http.(*connReader).backgroundRead", "(0x32ba1e07a1c0)", "net/http/server.go", 702, 0x64e973, 0x32, 0x33),
	}), creator: creatorStd("net/http.(*connReader).startBackgroundRead", "net/http/server.go", 698, 0xb6)}

	stQuoteReq = &stack{name: "quotereq", state: "select", hidden: pcSelect, frames: cat([]frame{
		app("main.(*quoteHandler).fetch", "(0x32ba1e0c2000, {0x7e3f00, 0x32ba1e0e4140}, {0x32ba1e0f0010, 0x4})", "quotes.go", 52, eQuoteFetch, 0x1a5),
		app("main.(*quoteHandler).ServeHTTP", "(0x32ba1e0c2000, {0x7e3998, 0x32ba1e1a0000}, 0x32ba1e07e140)", "quotes.go", 31, eQuoteServe, 0x8e),
	}, serverCallers), creator: createdByServe}

	stOrderReq = &stack{name: "orderreq", state: "sync.Mutex.Lock", hidden: pcSema, frames: cat([]frame{
		std("internal/sync.runtime_SemacquireMutex", "(0x0?, 0x0?, 0x0?)", "runtime/sema.go", 95, 0x48b545, 0x24, 0x25),
		std("internal/sync.(*Mutex).lockSlow", "(0x32ba1e0c4008)", "internal/sync/mutex.go", 149, 0x495cfd, 0x15c, 0x15d),
		// Mutex.Lock is inlined into orderBook.apply: its PCs lie in apply.
		{fn: "internal/sync.(*Mutex).Lock", args: "(...)", file: "/usr/local/go/src/internal/sync/mutex.go", line: 70, pc: eOrderApply + 0x34, off1: 0x33, off2: -1},
		{fn: "sync.(*Mutex).Lock", args: "(...)", file: "/usr/local/go/src/sync/mutex.go", line: 46, pc: eOrderApply + 0xf, off1: 0xe, off2: -1},
		{fn: "main.(*orderBook).apply", args: "(0x32ba1e0c4000, {0x32ba1e12c000, 0x3, 0x4})", file: "/src/quotesvc/orders.go", line: 77, pc: eOrderApply + 0x56, off1: 0x55, off2: 0x34},
		app("main.(*orderHandler).ServeHTTP", "(0x32ba1e0c6000, {0x7e3998, 0x32ba1e1a0000}, 0x32ba1e07e140)", "orders.go", 40, eOrderServe, 0x11d),
	}, serverCallers), creator: createdByServe}

	stAccountReq = &stack{name: "accountreq", state: "sync.WaitGroup.Wait", hidden: pcSema, frames: cat([]frame{
		std("sync.runtime_SemacquireWaitGroup", "(0x0?, 0x0?)", "runtime/sema.go", 114, 0x48b66e, 0x2d, 0x2e),
		std("sync.(*WaitGroup).Wait", "(0x32ba1e0c8010)", "sync/waitgroup.go", 206, 0x4975a5, 0x84, 0x85),
		app("main.(*accountHandler).loadAll", "(0x32ba1e0c8000, {0x7e3f00, 0x32ba1e0e4140}, {0x32ba1e0f2000, 0x6, 0x8})", "accounts.go", 63, eAccountLoad, 0xc2),
		app("main.(*accountHandler).ServeHTTP", "(0x32ba1e0c8000, {0x7e3998, 0x32ba1e1a0000}, 0x32ba1e07e140)", "accounts.go", 28, eAccountServe, 0x71),
	}, serverCallers), creator: createdByServe}

	stReadLoop = &stack{name: "readloop", state: "IO wait", hidden: pcNetpoll, frames: cat(connRead, []frame{
		std("net/http.(*persistConn).Read", "(0x32ba1e0fe140, {0x32ba1e11a000?, 0x7e0600?, 0xaa3db0?})", "net/http/transport.go", 2174, 0x66d327, 0x46, 0x47),
		std("bufio.(*Reader).fill", "(0x32ba1e08a720)", "bufio/bufio.go", 113, 0x5e1723, 0x102, 0x103),
		std("bufio.(*Reader).Peek", "(0x32ba1e08a720, 0x1)", "bufio/bufio.go", 152, 0x5e1853, 0x52, 0x53),
		std("net/http.(*persistConn).readLoop", "(0x32ba1e0fe140)", "net/http/transport.go", 2330, 0x66de32, 0x171, 0x172),
	}), creator: creatorStd("net/http.(*Transport).dialConn", "net/http/transport.go", 1994, 0x16ac)}

	stWriteLoop = &stack{name: "writeloop", state: "select", hidden: pcSelect, frames: []frame{
		std("net/http.(*persistConn).writeLoop", "(0x32ba1e0fe140)", "net/http/transport.go", 2652, 0x66f7e6, 0xe5, 0xe6),
	}, creator: creatorStd("net/http.(*Transport).dialConn", "net/http/transport.go", 1995, 0x16fe)}

	// The goroutine writing the profile: runtime/pprof's stack differs
	// between debug=1 (writeRuntimeProfile) and debug=2 (runtime.Stack).
	stRunning = &stack{name: "running", state: "running", hidden: pcProfile, frames: cat([]frame{
		std("runtime/pprof.writeRuntimeProfile", "", "runtime/pprof/pprof.go", 851, 0x692f11, 0xb0, 0xb1),
		std("runtime/pprof.writeGoroutine", "", "runtime/pprof/pprof.go", 784, 0x692d45, 0x44, 0x45),
		std("runtime/pprof.(*Profile).WriteTo", "", "runtime/pprof/pprof.go", 408, 0x68fbc9, 0x148, 0x149),
		std("net/http/pprof.handler.ServeHTTP", "", "net/http/pprof/pprof.go", 273, 0x6a9e6a, 0x529, 0x52a),
		std("net/http/pprof.Index", "", "net/http/pprof/pprof.go", 397, 0x6aa8fa, 0xd9, 0xda),
		std("net/http.HandlerFunc.ServeHTTP", "", "net/http/server.go", 2286, 0x6567c9, 0x28, 0x29),
	}, serverCallers), frames2: cat([]frame{
		std("runtime/pprof.writeGoroutineStacks", "({0x7e1140, 0x32ba1e1a0000})", "runtime/pprof/pprof.go", 819, 0, 0, 0x6b),
		std("runtime/pprof.writeGoroutine", "({0x7e1140?, 0x32ba1e1a0000?}, 0x32ba1e047748?)", "runtime/pprof/pprof.go", 782, 0, 0, 0x25),
		std("runtime/pprof.(*Profile).WriteTo", "(0xaa6080?, {0x7e1140?, 0x32ba1e1a0000?}, 0xc?)", "runtime/pprof/pprof.go", 408, 0, 0, 0x149),
		std("net/http/pprof.handler.ServeHTTP", "({0x32ba1e014131, 0x9}, {0x7e3998, 0x32ba1e1a0000}, 0x32ba1e07e140)", "net/http/pprof/pprof.go", 273, 0, 0, 0x52a),
		std("net/http/pprof.Index", "({0x7e3998, 0x32ba1e1a0000}, 0x32ba1e07e140?)", "net/http/pprof/pprof.go", 397, 0, 0, 0xda),
		std("net/http.HandlerFunc.ServeHTTP", "(0xab3ae0?, {0x7e3998?, 0x32ba1e1a0000?}, 0x64e856?)", "net/http/server.go", 2286, 0, 0, 0x29),
	}, serverCallers), creator: createdByServe}

	// The leak: the fetch helper's send on an unbuffered channel nobody
	// reads once the handler has given up.
	stLeak = &stack{name: "leak", state: "chan send", hidden: pcChanSend, frames: []frame{
		{fn: LeakFunc, args: "()", file: LeakFile, line: LeakLine, pc: eQuoteFunc1 + 0x45, off1: 0x44, off2: 0x45},
	}, creator: creatorApp("main.(*quoteHandler).fetch", "quotes.go", 44, 0xaa)}
)

// Optional background loops: each target runs a seeded subset.
var extras = func() []*stack {
	type ex struct {
		fn, file  string
		line      int
		kind      string
		creator   string
		cline     int
		minutes   bool
		off, coff uint64
	}
	list := []ex{
		{fn: "main.(*rateLimiter).refill", file: "ratelimit.go", line: 44, kind: "select", creator: "main.newRateLimiter", cline: 30, off: 0xa7, coff: 0x85},
		{fn: "main.(*sessionStore).expire", file: "sessions.go", line: 91, kind: "select", creator: "main.newSessionStore", cline: 52, off: 0x12e, coff: 0x9d},
		{fn: "main.(*fxRates).poll", file: "fx.go", line: 57, kind: "sleep", creator: "main.(*fxRates).Start", cline: 41, off: 0x68, coff: 0x6e},
		{fn: "main.(*mailer).drain", file: "mailer.go", line: 38, kind: "chan receive", creator: "main.newMailer", cline: 25, off: 0x52, coff: 0x7a},
		{fn: "main.(*reconciler).loop", file: "reconcile.go", line: 120, kind: "select", creator: "main.(*reconciler).Start", cline: 88, off: 0x1c4, coff: 0x65, minutes: true},
		{fn: "main.(*circuitBreaker).watch", file: "breaker.go", line: 66, kind: "select", creator: "main.newCircuitBreaker", cline: 47, off: 0xf1, coff: 0xb2},
		{fn: "main.(*eventBus).dispatch", file: "bus.go", line: 52, kind: "range", creator: "main.(*eventBus).Start", cline: 37, off: 0x8d, coff: 0x58},
		{fn: "main.(*snapshotter).run", file: "snapshot.go", line: 33, kind: "sleep", creator: "main.main", cline: 83, off: 0x57, coff: 0x3c9},
		{fn: "main.(*leaderElector).campaign", file: "election.go", line: 141, kind: "select", creator: "main.(*leaderElector).Run", cline: 102, off: 0x2b8, coff: 0xc4, minutes: true},
		{fn: "main.(*grpcPool).keepalive", file: "grpcpool.go", line: 77, kind: "select", creator: "main.dialPool", cline: 59, off: 0x119, coff: 0x1d3},
		{fn: "main.(*tracer).export", file: "tracing.go", line: 64, kind: "chan receive", creator: "main.newTracer", cline: 40, off: 0x9b, coff: 0x8f},
		{fn: "main.(*quotaSync).run", file: "quota.go", line: 73, kind: "select", creator: "main.main", cline: 86, off: 0xe4, coff: 0x40d},
	}
	var out []*stack
	for i, e := range list {
		entry := uint64(eExtrasStart + i*eExtrasSpacing)
		cfile := e.file
		if e.creator == "main.main" {
			cfile = "main.go"
		}
		s := &stack{name: e.fn, minutes: e.minutes, creator: creatorApp(e.creator, cfile, e.cline, int64(e.coff))}
		recv := app(e.fn, "(0x32ba1e0d0000)", e.file, e.line, entry, e.off)
		switch e.kind {
		case "select":
			s.state, s.hidden, s.frames = "select", pcSelect, []frame{recv}
		case "chan receive":
			s.state, s.hidden, s.frames = "chan receive", pcChanRecv, []frame{recv}
		case "range":
			s.state, s.hidden, s.frames = "chan receive", pcChanRange, []frame{recv}
		case "sleep":
			s.state, s.hidden = "sleep", pcPark
			s.frames = []frame{std("time.Sleep", "(0x3b9aca00)", "runtime/time.go", 363, 0x48e0e5, 0x164, 0x165), recv}
		}
		out = append(out, s)
	}
	return out
}()

func init() {
	all := []*stack{stMain, stSignal, stDBOpener, stWorker, stFlush, stJanitor, stConfig, stHeartbeat, stFeed, stAudit,
		stIdleConn, stBgRead, stQuoteReq, stOrderReq, stAccountReq, stReadLoop, stWriteLoop, stRunning, stLeak}
	for _, s := range append(all, extras...) {
		s.compile()
	}
}
