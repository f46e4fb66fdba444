package contextinstruct

import (
	"context"
	"errors"
	"sort"
	"strings"
)

// Txn is a transaction built step by step and run by Commit (etcd's clientv3.Txn).
type Txn interface {
	If(conds ...string) Txn
	Then(ops ...string) Txn
	Else(ops ...string) Txn
	Commit() error
}

type kv struct{ data map[string]string }

// txn holds the context of the call that created it until Commit runs it.
type txn struct {
	kv   *kv
	ctx  context.Context // ok: one-shot builder (If/Then/Else return the receiver, Commit runs it)
	cmps []string
	ops  []string
	els  []string
}

func (k *kv) Txn(ctx context.Context) Txn { return &txn{kv: k, ctx: ctx} }

func (t *txn) If(conds ...string) Txn {
	t.cmps = append(t.cmps, conds...)
	return t
}

func (t *txn) Then(ops ...string) Txn {
	t.ops = append(t.ops, ops...)
	return t
}

func (t *txn) Else(ops ...string) Txn {
	t.els = append(t.els, ops...)
	return t
}

func (t *txn) Commit() error { return use(t.ctx) }

// queryBuilder is an exported-API style builder with a terminal Do.
type queryBuilder struct {
	ctx   context.Context // ok: one-shot builder (Where returns the receiver, Do runs it)
	where []string
}

func (k *kv) Query(ctx context.Context) *queryBuilder { return &queryBuilder{ctx: ctx} }

func (q *queryBuilder) Where(cond string) *queryBuilder {
	q.where = append(q.where, cond)
	return q
}

func (q *queryBuilder) Do() ([]string, error) { return q.where, use(q.ctx) }

// layerDescriptor values are built for one download and handed to it (moby's worker.FromRemote).
type layerDescriptor struct {
	pctx   context.Context // ok: built with the call's context, kept in a local slice, handed to one call
	digest string
}

func (l *layerDescriptor) Key() string { return l.digest }

func (l *layerDescriptor) Download() error { return use(l.pctx) }

func fromRemote(ctx context.Context, digests []string) error {
	layers := make([]*layerDescriptor, 0, len(digests))
	for _, d := range digests {
		layers = append(layers, &layerDescriptor{pctx: ctx, digest: d})
	}
	sort.Slice(layers, func(i, j int) bool { return i < j })
	for _, l := range layers {
		if err := l.Download(); err != nil {
			return err
		}
	}
	return downloadAll(layers)
}

// downloadAll only reads the descriptors it is handed.
func downloadAll(layers []*layerDescriptor) error {
	var errs []error
	for _, l := range layers {
		errs = append(errs, l.Download())
	}
	return errors.Join(errs...)
}

// batch is declared empty, given the context, used and dropped.
type batch struct {
	ctx  context.Context // ok: a local value given the call's context
	keys []string
}

func (b *batch) add(k string) { b.keys = append(b.keys, k) }

func (b *batch) flush() error { return use(b.ctx) }

func writeAll(ctx context.Context, keys []string) error {
	var b batch
	b.ctx = ctx
	for _, k := range keys {
		b.add(k)
	}
	return b.flush()
}

// renderer is built for one call to a function of another package.
type renderer struct {
	ctx context.Context // ok: built with the call's context and handed to one call
	sb  strings.Builder
}

func (r *renderer) String() string { return r.sb.String() }

func render(ctx context.Context) string {
	r := &renderer{ctx: ctx}
	return strings.ToUpper(r.String())
}

// handler is returned by its constructor: it lives as long as whoever keeps it (moby's httpHandler).
type handler struct {
	ctx  context.Context // want `CG303 field ctx of handler`
	name string
}

func newHandler(ctx context.Context) *handler { return &handler{ctx: ctx, name: "h"} }

// pendingOp values are built locally but stored in a long-lived struct.
type pendingOp struct {
	ctx context.Context // want `CG303 field ctx of pendingOp`
	key string
}

type queue struct{ pending []*pendingOp }

func (q *queue) enqueue(ctx context.Context, key string) {
	op := &pendingOp{ctx: ctx, key: key}
	q.pending = append(q.pending, op)
}

// loopWorker is built locally, then handed to a goroutine.
type loopWorker struct {
	ctx context.Context // want `CG303 field ctx of loopWorker`
	n   int
}

func (w *loopWorker) loop() { _ = use(w.ctx) }

func startWorker(ctx context.Context) {
	w := &loopWorker{ctx: ctx, n: 1}
	go w.loop()
}

// registered values are handed to a function of the package that keeps them.
type registered struct {
	ctx  context.Context // want `CG303 field ctx of registered`
	name string
}

var everRegistered []*registered

func register(r *registered) { everRegistered = append(everRegistered, r) }

func registerOne(ctx context.Context) {
	register(&registered{ctx: ctx, name: "one"})
}

// starter is built locally but takes its context in a method: a lifecycle the caller never sees.
type starter struct {
	ctx  context.Context // want `CG303 field ctx of starter`
	name string
}

func (s *starter) Start(ctx context.Context) { s.ctx = ctx }

func (s *starter) Serve() error { return use(s.ctx) }

func serveOnce(ctx context.Context) error {
	s := &starter{name: "s"}
	s.Start(ctx)
	return s.Serve()
}

// chainServer has chain methods but no terminal one: a configured long-lived server.
type chainServer struct {
	ctx  context.Context // want `CG303 field ctx of chainServer`
	addr string
}

func (c *chainServer) WithAddr(addr string) *chainServer {
	c.addr = addr
	return c
}

func (c *chainServer) Run() error { return use(c.ctx) }

// client has a terminal Do but no chain method: not a builder.
type client struct {
	ctx context.Context // want `CG303 field ctx of client`
}

func (c *client) Do(req string) error { return use(c.ctx) }

func newClient(ctx context.Context) *client { return &client{ctx: ctx} }

// Exported types can be built by other packages: not followed.
type Exported struct {
	Ctx context.Context // want `CG303 field Ctx of Exported`
}

func buildExported(ctx context.Context) error {
	e := Exported{Ctx: ctx}
	return use(e.Ctx)
}

// callbackState is captured by a callback that may run after the call.
type callbackState struct {
	ctx context.Context // want `CG303 field ctx of callbackState`
}

func onDone(f func()) { f() }

func watchLater(ctx context.Context) {
	st := &callbackState{ctx: ctx}
	onDone(func() { _ = use(st.ctx) })
}

// collected values leave through the slice the function returns.
type collected struct {
	ctx context.Context // want `CG303 field ctx of collected`
}

func collect(ctx context.Context) []*collected {
	var out []*collected
	out = append(out, &collected{ctx: ctx})
	return out
}

// neverSet is built locally, but nothing gives it a context where it is built.
type neverSet struct {
	ctx context.Context // want `CG303 field ctx of neverSet`
	n   int
}

func buildNeverSet() int {
	v := neverSet{n: 1}
	return v.n
}

func runOneShot(ctx context.Context) {
	k := &kv{}
	_ = k.Txn(ctx).If("a").Then("b").Else("c").Commit()
	_, _ = k.Query(ctx).Where("x").Do()
	_ = fromRemote(ctx, []string{"a"})
	_ = writeAll(ctx, []string{"a"})
	_ = render(ctx)
	_ = newHandler(ctx)
	(&queue{}).enqueue(ctx, "k")
	startWorker(ctx)
	registerOne(ctx)
	_ = serveOnce(ctx)
	_ = (&chainServer{ctx: ctx}).WithAddr(":1").Run()
	_ = newClient(ctx).Do("r")
	_ = buildExported(ctx)
	watchLater(ctx)
	_ = collect(ctx)
	_ = buildNeverSet()
}
