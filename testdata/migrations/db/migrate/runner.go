// Package migrate is named like migrations but registers none: its code runs with the service.
package migrate

import (
	"context"
	"database/sql"
)

// Version reads the schema version for a request.
func Version(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	err := db.QueryRow("SELECT version FROM schema").Scan(&v) // want `CG202 \(\*sql\.DB\)\.QueryRow has no context`
	return v, err
}
