package contextinstruct

import (
	"context"
	"database/sql"
	"sync"
)

type connKey struct{}

// carts keeps the service's context and grows it with every request.
type carts struct {
	db  *sql.DB
	mu  sync.Mutex
	ctx context.Context // want `CG303 field ctx of carts stores a context.Context`
}

func (c *carts) add(item string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.db.ExecContext(c.ctx, "INSERT INTO carts VALUES (?)", item)
	return err
}

// pair stores two contexts in one declaration: one finding names both.
type pair struct {
	primary, fallback context.Context // want `CG303 fields primary, fallback of pair store`
}

// Exported field with a tag.
type Session struct {
	ID  string
	Ctx context.Context `json:"-"` // want `CG303 field Ctx of Session`
}

// carrier embeds a context without overriding anything: a carrier, not a context.
type carrier struct {
	context.Context // want `CG303 carrier embeds context.Context without overriding`
	user            string
}

// closer has methods, but none that make it a context or a call-scoped object.
type closer struct {
	ctx context.Context // want `CG303 field ctx of closer`
}

func (c *closer) Close() error      { return use(c.ctx) }
func (c *closer) ReadAll() []byte   { return nil }
func (c *closer) ContextOf() string { return "" }

// compactor2 has a Write method that is no io.Writer.
type compactor2 struct {
	ctx context.Context // want `CG303 field ctx of compactor2`
}

func (c *compactor2) Write(dir string) error { return use(c.ctx) }

// named has a Context method that returns no context.
type named struct {
	ctx context.Context // want `CG303 field ctx of named`
}

func (n named) Context() string { return "ctx" }

// stringer embeds a context next to other fields and only adds String.
type stringer struct {
	context.Context // want `CG303 stringer embeds context.Context without overriding`
	name            string
}

func (s stringer) String() string { return s.name }

// notACancel holds a channel named cancel, not a cancel function.
type notACancel struct {
	ctx    context.Context // want `CG303 field ctx of notACancel`
	cancel chan struct{}
}

// optionsHolder is not a parameter object: the suffix is Holder.
type optionsHolder struct {
	ctx context.Context // want `CG303 field ctx of optionsHolder`
}

// event values are kept in slices, never sent over a channel.
type event struct {
	ctx  context.Context // want `CG303 field ctx of event`
	name string
}

var history []event

// server nests an anonymous struct inside a named one.
type server struct {
	conf struct {
		ctx  context.Context // want `CG303 field ctx of server.conf`
		addr string
	}
}

func (c *carts) run() error {
	_ = pair{}
	_ = Session{}
	_ = carrier{}
	_ = stringer{}
	_ = closer{}
	_ = compactor2{}
	_ = named{}
	_ = notACancel{}
	_ = optionsHolder{}
	_ = server{}
	history = append(history, event{})
	return c.add("x")
}
