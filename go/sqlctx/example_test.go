package sqlctx_test

import (
	"context"
	"fmt"
	"time"

	"ctxguard.dev/go/sqlctx"
)

// Bound gives a database call the request's deadline, or a default maximum
// when the request has none or a later one.
func ExampleBound() {
	// A request without a deadline: the call gets the maximum.
	ctx, cancel := sqlctx.Bound(context.Background(), 2*time.Second)
	defer cancel()
	dl, ok := ctx.Deadline()
	fmt.Println(ok, time.Until(dl) <= 2*time.Second)

	// A request due sooner than the maximum keeps its own deadline.
	req, reqCancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer reqCancel()
	reqDL, _ := req.Deadline()
	ctx2, cancel2 := sqlctx.Bound(req, 2*time.Second)
	defer cancel2()
	dl2, _ := ctx2.Deadline()
	fmt.Println(dl2.Equal(reqDL))

	// With a *sql.DB (or *sql.Tx, *sql.Conn) db, the wrappers do the same:
	//
	//	rows, err := sqlctx.Query(r.Context(), db, 2*time.Second, "SELECT id FROM t")
	//	...
	//	defer rows.Close()

	// Output:
	// true true
	// true
}
