// Package store runs the same statements for requests: always reported.
package store

import (
	"context"
	"database/sql"
)

// Rename renames an album for a request.
func Rename(ctx context.Context, tx *sql.Tx, id int, title string) error {
	_, err := tx.Exec("UPDATE albums SET title = ? WHERE id = ?", title, id) // want `CG202 \(\*sql\.Tx\)\.Exec has no context`
	return err
}
