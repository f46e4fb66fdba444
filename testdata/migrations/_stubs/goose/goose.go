// Package goose stands in for github.com/pressly/goose/v3: the registration call migrations make.
package goose

import (
	"context"
	"database/sql"
)

// GoMigrationContext is a migration step run inside the framework's transaction.
type GoMigrationContext func(ctx context.Context, tx *sql.Tx) error

// AddMigrationContext registers a migration's up and down steps.
func AddMigrationContext(up, down GoMigrationContext) {}
