package backgroundinscope

import (
	stdctx "context"
	"net/http"
)

// An aliased import: the message spells the alias.
func aliasFetch(ctx stdctx.Context) error {
	return query(stdctx.Background(), "x") // want `CG201 stdctx\.Background\(\) cuts the caller's deadline and cancellation: use ctx$`
}

// The WithoutCancel advice uses the alias too.
func aliasNotify(ctx stdctx.Context) {
	go func() {
		_ = query(stdctx.TODO(), "x") // want `use ctx, or stdctx\.WithoutCancel\(ctx\) if this must outlive the caller`
	}()
}

// ok: an aliased import with nothing in scope.
func aliasLegacy(w http.ResponseWriter) {
	_ = query(stdctx.Background(), "x") // ok: w carries no context
	w.WriteHeader(http.StatusOK)
}
