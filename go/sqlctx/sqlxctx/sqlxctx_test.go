package sqlxctx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"ctxguard.dev/go/sqlctx/internal/testdriver"
	"ctxguard.dev/go/sqlctx/sqlxctx"
)

type item struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

func openDB(t *testing.T) *sqlx.DB {
	t.Helper()
	sdb, err := testdriver.Open()
	if err != nil {
		t.Fatal(err)
	}
	db := sqlx.NewDb(sdb, testdriver.Name)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestGetSelectNamedExec(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()

	var one item
	if err := sqlxctx.Get(ctx, db, time.Second, &one, "SELECT"); err != nil {
		t.Fatal(err)
	}
	if one != (item{1, "a"}) {
		t.Fatalf("Get: %+v", one)
	}

	var all []item
	if err := sqlxctx.Select(ctx, db, time.Second, &all, "SELECT"); err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[1] != (item{2, "b"}) {
		t.Fatalf("Select: %+v", all)
	}

	res, err := sqlxctx.NamedExec(ctx, db, time.Second, "INSERT INTO t (id, name) VALUES (:id, :name)", item{3, "c"})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("rows affected %d", n)
	}

	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := sqlxctx.Get(ctx, tx, time.Second, &one, "SELECT"); err != nil {
		t.Fatal(err)
	}
}

func TestDeadlineCarried(t *testing.T) {
	db := openDB(t)
	var ns int64
	if err := sqlxctx.Get(context.Background(), db, 2*time.Second, &ns, "DEADLINE"); err != nil {
		t.Fatal(err)
	}
	if left := time.Until(time.Unix(0, ns)); ns < 0 || left <= 0 || left > 2*time.Second {
		t.Fatalf("driver deadline %d (in %v), want within 2s", ns, left)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	want, _ := ctx.Deadline()
	var got []int64
	if err := sqlxctx.Select(ctx, db, time.Hour, &got, "DEADLINE"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !time.Unix(0, got[0]).Equal(want) {
		t.Fatalf("driver deadline %v, want the request's %v", got, want)
	}
}

func TestEnforced(t *testing.T) {
	db := openDB(t)
	const max = 50 * time.Millisecond
	cases := map[string]func(context.Context) error{
		"Get": func(ctx context.Context) error {
			var x item
			return sqlxctx.Get(ctx, db, max, &x, "BLOCK")
		},
		"Select": func(ctx context.Context) error {
			var x []item
			return sqlxctx.Select(ctx, db, max, &x, "BLOCK")
		},
		"NamedExec": func(ctx context.Context) error {
			_, err := sqlxctx.NamedExec(ctx, db, max, "BLOCK :id", item{})
			return err
		},
	}
	for name, f := range cases {
		t.Run(name+"/max", func(t *testing.T) {
			start := time.Now()
			err := f(context.Background())
			if d := time.Since(start); d < max || d > max+2*time.Second {
				t.Fatalf("took %v, want about %v", d, max)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want deadline exceeded", err)
			}
		})
		t.Run(name+"/request cancelled", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(5*time.Millisecond, cancel)
			if err := f(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want canceled", err)
			}
		})
	}
}
