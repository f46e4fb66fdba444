package sqlctx_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"ctxguard.dev/go/sqlctx"
	"ctxguard.dev/go/sqlctx/internal/testdriver"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := testdriver.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestBound(t *testing.T) {
	bg := context.Background()

	t.Run("no deadline gets max", func(t *testing.T) {
		ctx, cancel := sqlctx.Bound(bg, time.Second)
		defer cancel()
		dl, ok := ctx.Deadline()
		if !ok {
			t.Fatal("no deadline")
		}
		if left := time.Until(dl); left <= 0 || left > time.Second {
			t.Fatalf("deadline in %v, want within 1s", left)
		}
	})

	t.Run("shorter request deadline kept", func(t *testing.T) {
		parent, pcancel := context.WithTimeout(bg, 100*time.Millisecond)
		defer pcancel()
		want, _ := parent.Deadline()
		ctx, cancel := sqlctx.Bound(parent, time.Hour)
		defer cancel()
		if ctx != parent {
			t.Error("a context already bounded enough should be returned as is")
		}
		if dl, _ := ctx.Deadline(); !dl.Equal(want) {
			t.Fatalf("deadline %v, want %v", dl, want)
		}
	})

	t.Run("longer request deadline shortened", func(t *testing.T) {
		parent, pcancel := context.WithTimeout(bg, time.Hour)
		defer pcancel()
		ctx, cancel := sqlctx.Bound(parent, 50*time.Millisecond)
		defer cancel()
		dl, _ := ctx.Deadline()
		if left := time.Until(dl); left > 50*time.Millisecond {
			t.Fatalf("deadline in %v, want within 50ms", left)
		}
		pcancel()
		<-ctx.Done() // still cancelled with its parent
	})

	t.Run("max 0 means none", func(t *testing.T) {
		ctx, cancel := sqlctx.Bound(bg, 0)
		defer cancel()
		if _, ok := ctx.Deadline(); ok {
			t.Fatal("unexpected deadline")
		}
	})
}

func TestDeadlineCarriedToDriver(t *testing.T) {
	db := openDB(t)
	var ns int64
	if err := sqlctx.QueryRow(context.Background(), db, 2*time.Second, "DEADLINE").Scan(&ns); err != nil {
		t.Fatal(err)
	}
	if ns < 0 {
		t.Fatal("driver saw no deadline")
	}
	if left := time.Until(time.Unix(0, ns)); left <= 0 || left > 2*time.Second {
		t.Fatalf("driver deadline in %v, want within 2s", left)
	}

	// The request's own, shorter deadline is what the driver sees.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	want, _ := ctx.Deadline()
	if err := sqlctx.QueryRow(ctx, db, time.Hour, "DEADLINE").Scan(&ns); err != nil {
		t.Fatal(err)
	}
	if got := time.Unix(0, ns); !got.Equal(want) {
		t.Fatalf("driver deadline %v, want the request's %v", got, want)
	}
}

// elapsed runs f and returns how long it took and its error.
func elapsed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

func TestEnforced(t *testing.T) {
	db := openDB(t)
	const max = 50 * time.Millisecond
	bg := context.Background()

	cases := map[string]func(context.Context) error{
		"Exec": func(ctx context.Context) error {
			_, err := sqlctx.Exec(ctx, db, max, "BLOCK")
			return err
		},
		"Query": func(ctx context.Context) error {
			rows, err := sqlctx.Query(ctx, db, max, "BLOCK")
			if err == nil {
				rows.Close()
			}
			return err
		},
		"QueryRow": func(ctx context.Context) error {
			var x int
			return sqlctx.QueryRow(ctx, db, max, "BLOCK").Scan(&x)
		},
	}
	for name, f := range cases {
		t.Run(name+"/max", func(t *testing.T) {
			d, err := elapsed(func() error { return f(bg) })
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want deadline exceeded", err)
			}
			if d < max || d > max+2*time.Second {
				t.Fatalf("took %v, want about %v", d, max)
			}
		})
		t.Run(name+"/request deadline", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(bg, 10*time.Millisecond)
			defer cancel()
			d, err := elapsed(func() error { return f(ctx) })
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want deadline exceeded", err)
			}
			if d >= max+2*time.Second {
				t.Fatalf("took %v", d)
			}
		})
		t.Run(name+"/request cancelled", func(t *testing.T) {
			ctx, cancel := context.WithCancel(bg)
			time.AfterFunc(5*time.Millisecond, cancel)
			if err := f(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want canceled", err)
			}
		})
	}
}

func TestQueryRowsUsable(t *testing.T) {
	db := openDB(t)
	rows, err := sqlctx.Query(context.Background(), db, time.Second, "SELECT")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("rows %v", got)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestQueryBoundLastsUntilClose(t *testing.T) {
	db := openDB(t)
	rows, err := sqlctx.Query(context.Background(), db, 20*time.Millisecond, "SELECT")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	time.Sleep(200 * time.Millisecond) // the bound passes while the rows are open
	for rows.Next() {
	}
	if err := rows.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("rows.Err() = %v, want deadline exceeded", err)
	}
}

func TestExecAndTx(t *testing.T) {
	db := openDB(t)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	res, err := sqlctx.Exec(context.Background(), tx, time.Second, "INSERT x")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("rows affected %d", n)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	row := sqlctx.QueryRow(context.Background(), db, time.Second, "NOPE")
	if row.Err() == nil {
		t.Fatal("want an error for an unknown query")
	}
	if err := row.Scan(new(int)); err == nil {
		t.Fatal("want an error from Scan")
	}
}
