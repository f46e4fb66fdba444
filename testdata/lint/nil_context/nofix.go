package nilcontext

// This file does not import "context": findings, but no fix.

import (
	"net/http"
	"os/exec"
)

func noImport(url string) (*http.Request, error) {
	return http.NewRequestWithContext(nil, http.MethodGet, url, nil) // want `CG204 .*http\.NewRequestWithContext`
}

func noImportPkg() error {
	return fetch(nil, "x") // want `CG204 .*fetch`
}

// ok: exec.Command has no context.
func okCommand() *exec.Cmd {
	return exec.Command("true") // ok: no nil
}
