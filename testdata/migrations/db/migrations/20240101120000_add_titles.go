// Package migrations holds the schema's history: each step runs once, inside goose's
// transaction, and a step that has shipped is never edited.
package migrations

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

func init() {
	goose.AddMigrationContext(upAddTitles, downAddTitles)
}

func upAddTitles(ctx context.Context, tx *sql.Tx) error {
	stmt, err := tx.Prepare("UPDATE albums SET title = ? WHERE id = ?") // want `CG202 \(\*sql\.Tx\)\.Prepare has no context`
	if err != nil {
		return err
	}
	defer stmt.Close()
	_, err = stmt.Exec("untitled", 1) // want `CG202 \(\*sql\.Stmt\)\.Exec has no context`
	return err
}

func downAddTitles(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "UPDATE albums SET title = NULL")
	return err
}
