#!/usr/bin/env bash
# collect.sh TOOLCHAIN [STEP...]
#
# Builds ./leaky with GOTOOLCHAIN=TOOLCHAIN (e.g. go1.21.13) and writes the
# runtime fixtures into ../go1.NN/. Without STEP, runs every default step.
# Steps:
#   dump ancestors panic panic_all sigquit system crash deadlock schedtrace scheddetail
#   leakexp      (1.26 only) goroutineleak.* from a GOEXPERIMENT=goroutineleakprofile build
#   labels126    (1.26 only) debug=2 with GODEBUG=tracebacklabels=1
#   gomod119     (1.27 only) debug=2 from the go-1.19 module (labels off by default)
#   synctest     (>= 1.25)   synctest.txt and synctest_deadlock.txt from ./durable
#   minutes      (slow: ~70 s, mostly idle) SIGQUIT after 65 s: ", 1 minutes" headers
#   heapdefault  (1.26) heap.default.debug1.txt and heap.default.pb.gz at Go's default MemProfileRate
#   extras       (after dump) heap.debug1.txt of the same run, and goroutine.pb (goroutine.pb.gz gunzipped)
#
# For Go >= 1.27 the program is built with GOWORK=gen/go127.work, a workspace
# whose go line says "go 1.27": goroutine labels in traceback headers are on by
# default only when the main module (or workspace) says go >= 1.27; see README.md.
#
# Every command that produced a file is appended to ../go1.NN/RUN.txt with its
# exit status. Runs are niced; one build at a time.
set -euo pipefail

TC=$1
shift
HERE=$(cd "$(dirname "$0")" && pwd)
MINOR=$(echo "$TC" | sed -E 's/^go1\.([0-9]+).*/\1/')
OUT=$(cd "$HERE/.." && pwd)/go1.$MINOR
WORK=$(mktemp -d /tmp/ctxguard-rt.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

STEPS=("$@")
if [ ${#STEPS[@]} -eq 0 ]; then
	STEPS=(dump ancestors panic panic_all sigquit system crash deadlock schedtrace scheddetail)
	[ "$MINOR" -ge 25 ] && STEPS+=(synctest)
	[ "$MINOR" -eq 26 ] && STEPS+=(extras heapdefault leakexp labels126)
	[ "$MINOR" -ge 27 ] && STEPS+=(gomod119)
fi

# A clean environment for the program: only what each step sets.
RUNENV=(env -u GOTRACEBACK -u GODEBUG -u GOEXPERIMENT -u GOMAXPROCS)

build() { # build OUTBIN MODDIR [env...]
	local bin=$1 mod=$2
	shift 2
	(cd "$mod" && env GOTOOLCHAIN="$TC" GOFLAGS=-buildvcs=false CGO_ENABLED=0 "$@" nice -n 19 go build -o "$bin" ./leaky)
}

# Go >= 1.27: build in workspace mode with gen/go127.work ("go 1.27", "use ."):
# the workspace's go line sets the GODEBUG defaults (tracebacklabels=1), while
# the sources stay where they are (same file paths in frames as the other versions).
WORKENV=(GOWORK=off)
BUILDNOTE=""
if [ "$MINOR" -ge 27 ]; then
	WORKENV=(GOWORK="$HERE/go127.work")
	BUILDNOTE="GOWORK=gen/go127.work "
fi
MOD="$HERE"
BIN="$WORK/leaky"
build "$BIN" "$MOD" "${WORKENV[@]}"
VERSION=$(GOTOOLCHAIN="$TC" go version | awk '{print $3}')
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $VERSION (GOTOOLCHAIN=$TC), go.mod: go 1.19$([ "$MINOR" -ge 27 ] && echo ", workspace gen/go127.work: go 1.27")"
	echo "# build: cd gen && ${BUILDNOTE}CGO_ENABLED=0 GOTOOLCHAIN=$TC go build -o leaky ./leaky"
} >>"$OUT/RUN.txt"

log() { # log FILE RC COMMAND...
	local f=$1 rc=$2
	shift 2
	printf '%s\trc=%s\t%s\n' "$f" "$rc" "$*" >>"$OUT/RUN.txt"
}

wait_for() { # wait_for FILE REGEX SECONDS
	local i
	for i in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timeout waiting for /$2/ in $1" >&2
	return 1
}

sigquit_run() { # sigquit_run OUTFILE WAITREGEX [VAR=value...] -- [flags...]
	local out=$1 re=$2 pid rc
	shift 2
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	rm -f "$WORK/stdout"
	"${RUNENV[@]}" "${envs[@]}" nice -n 10 "$BIN" "$@" >"$WORK/stdout" 2>"$out" &
	pid=$!
	wait_for "$WORK/stdout" "$re" 120
	kill -QUIT "$pid"
	rc=0
	wait "$pid" || rc=$?
	log "$(basename "$out")" "$rc" "${envs[*]}${envs[*]:+ }leaky${*:+ }$* & (wait for '$re' on stdout) kill -QUIT \$pid; stderr"
}

for step in "${STEPS[@]}"; do
	echo "== $VERSION: $step" >&2
	case $step in
	dump)
		"${RUNENV[@]}" nice -n 10 "$BIN" -dump "$WORK/dump" >"$WORK/stdout"
		for f in goroutine.debug1.txt goroutine.debug2.txt goroutine.pb.gz stack_all.txt heap.pb.gz allocs.pb.gz \
			goroutineleak.pb.gz goroutineleak.debug1.txt goroutineleak.debug2.txt; do
			if [ -f "$WORK/dump/$f" ]; then
				cp "$WORK/dump/$f" "$OUT/$f"
				log "$f" 0 "leaky -dump DIR  (DIR/$f)"
			fi
		done
		;;
	extras)
		# heap.debug1.txt and an uncompressed goroutine.pb, from the same run as the dump step
		cp "$WORK/dump/heap.debug1.txt" "$OUT/heap.debug1.txt"
		log heap.debug1.txt 0 "leaky -dump DIR  (DIR/heap.debug1.txt; same run as heap.pb.gz)"
		gunzip -c "$OUT/goroutine.pb.gz" >"$OUT/goroutine.pb"
		log goroutine.pb 0 "gunzip -c goroutine.pb.gz  (the same goroutine profile, not gzipped)"
		;;
	ancestors)
		"${RUNENV[@]}" GODEBUG=tracebackancestors=5 nice -n 10 "$BIN" -dump "$WORK/anc" >"$WORK/stdout"
		cp "$WORK/anc/goroutine.debug2.txt" "$OUT/ancestors.txt"
		log ancestors.txt 0 "GODEBUG=tracebackancestors=5 leaky -dump DIR  (DIR/goroutine.debug2.txt)"
		;;
	panic)
		rc=0
		"${RUNENV[@]}" nice -n 10 timeout 60 "$BIN" -panic >/dev/null 2>"$OUT/panic.txt" || rc=$?
		log panic.txt "$rc" "leaky -panic; stderr"
		;;
	panic_all)
		rc=0
		"${RUNENV[@]}" GOTRACEBACK=all GODEBUG=asyncpreemptoff=1 nice -n 10 timeout 60 "$BIN" -panic -spin >/dev/null 2>"$OUT/panic_all.txt" || rc=$?
		log panic_all.txt "$rc" "GOTRACEBACK=all GODEBUG=asyncpreemptoff=1 leaky -panic -spin; stderr"
		;;
	sigquit) sigquit_run "$OUT/sigquit.txt" '^ready' -- ;;
	system) sigquit_run "$OUT/system.txt" '^ready' GOTRACEBACK=system -- ;;
	crash) (ulimit -c 0; sigquit_run "$OUT/crash.txt" '^ready' GOTRACEBACK=crash --) ;;
	deadlock)
		rc=0
		"${RUNENV[@]}" nice -n 10 timeout 60 "$BIN" -deadlock >/dev/null 2>"$OUT/deadlock.txt" || rc=$?
		log deadlock.txt "$rc" "leaky -deadlock; stderr"
		;;
	schedtrace)
		rc=0
		"${RUNENV[@]}" GODEBUG=schedtrace=100 nice -n 10 "$BIN" -exit-after 1s >/dev/null 2>"$OUT/schedtrace.txt" || rc=$?
		log schedtrace.txt "$rc" "GODEBUG=schedtrace=100 leaky -exit-after 1s; stderr"
		;;
	scheddetail)
		rc=0
		"${RUNENV[@]}" GODEBUG=schedtrace=200,scheddetail=1 nice -n 10 "$BIN" -exit-after 1s >/dev/null 2>"$OUT/scheddetail.txt" || rc=$?
		log scheddetail.txt "$rc" "GODEBUG=schedtrace=200,scheddetail=1 leaky -exit-after 1s; stderr"
		;;
	minutes) sigquit_run "$OUT/minutes.txt" '^held' -- -hold 65s ;;
	heapdefault)
		# heap profile at Go's default sampling rate (512 KiB; header "@ heap/1048576", period 524288)
		"${RUNENV[@]}" nice -n 10 "$BIN" -memprofilerate 0 -dump "$WORK/hd" >"$WORK/stdout"
		cp "$WORK/hd/heap.debug1.txt" "$OUT/heap.default.debug1.txt"
		cp "$WORK/hd/heap.pb.gz" "$OUT/heap.default.pb.gz"
		log heap.default.debug1.txt 0 "leaky -memprofilerate 0 -dump DIR  (DIR/heap.debug1.txt)"
		log heap.default.pb.gz 0 "(same run) DIR/heap.pb.gz"
		;;
	leakexp)
		build "$WORK/leakyx" "$MOD" "${WORKENV[@]}" GOEXPERIMENT=goroutineleakprofile
		"${RUNENV[@]}" nice -n 10 "$WORK/leakyx" -dump "$WORK/dumpx" >"$WORK/stdout"
		for f in goroutineleak.pb.gz goroutineleak.debug1.txt goroutineleak.debug2.txt; do
			cp "$WORK/dumpx/$f" "$OUT/$f"
			log "$f" 0 "(built with GOEXPERIMENT=goroutineleakprofile) leaky -dump DIR  (DIR/$f)"
		done
		;;
	labels126)
		"${RUNENV[@]}" GODEBUG=tracebacklabels=1 nice -n 10 "$BIN" -dump "$WORK/lab" >"$WORK/stdout"
		cp "$WORK/lab/goroutine.debug2.txt" "$OUT/goroutine.debug2.tracebacklabels.txt"
		log goroutine.debug2.tracebacklabels.txt 0 "GODEBUG=tracebacklabels=1 leaky -dump DIR  (DIR/goroutine.debug2.txt)"
		;;
	gomod119)
		build "$WORK/leaky119mod" "$HERE" GOWORK=off
		"${RUNENV[@]}" nice -n 10 "$WORK/leaky119mod" -dump "$WORK/m119" >"$WORK/stdout"
		mkdir -p "$OUT/gomod1.19"
		cp "$WORK/m119/goroutine.debug2.txt" "$OUT/gomod1.19/goroutine.debug2.txt"
		log gomod1.19/goroutine.debug2.txt 0 "(built with GOWORK=off: module go 1.19) leaky -dump DIR  (DIR/goroutine.debug2.txt)"
		;;
	synctest)
		(cd "$HERE/durable" && GOTOOLCHAIN="$TC" GOFLAGS=-buildvcs=false CGO_ENABLED=0 nice -n 19 go test -c -o "$WORK/durable.test" .)
		rc=0
		"${RUNENV[@]}" DURABLE_DUMP="$OUT/synctest.txt" nice -n 10 timeout 60 "$WORK/durable.test" -test.run TestBubbleDump \
			>"$OUT/synctest_deadlock.txt" 2>&1 || rc=$?
		log synctest.txt 0 "cd gen/durable && go test -c -o durable.test . && DURABLE_DUMP=synctest.txt ./durable.test -test.run TestBubbleDump  (runtime.Stack inside the bubble)"
		log synctest_deadlock.txt "$rc" "(same run) stdout+stderr of ./durable.test"
		;;
	*)
		echo "unknown step $step" >&2
		exit 2
		;;
	esac
done
echo "done: $OUT" >&2
