package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kaiwu-ai/kaiwu/workspace"
)

// Open a workspace file, write a document, and see a stale edit refused.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "kaiwu")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	ws, err := workspace.Open(ctx, filepath.Join(dir, "workspace.db")) // or "postgres://…"
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.Close()

	profile := "name: Acme AI\ncurrency: CNY\nstage: seed\n"
	d, _ := ws.Put(ctx, workspace.KindProfile, "main", profile, 0, "alice")
	fmt.Println("created version", d.Version)

	// Alice and Bob both read version 1; Alice saves first.
	_, _ = ws.Put(ctx, workspace.KindProfile, "main", profile+"sector: LLM\n", 1, "alice")
	_, err = ws.Put(ctx, workspace.KindProfile, "main", profile+"sector: AI\n", 1, "bob")
	var conflict *workspace.ConflictError
	if errors.As(err, &conflict) {
		fmt.Println("bob:", err)
		fmt.Println("now by", conflict.Current.UpdatedBy)
	}
	// Output:
	// created version 1
	// bob: workspace: profile/main is at version 2: it changed since it was read
	// now by alice
}

// Put refuses a document its domain parser rejects, saying what and where.
func ExampleValidate() {
	err := workspace.Validate(workspace.KindRunway, "main", "currency: CNY\nstart: 2026-13\n")
	fmt.Println(err)
	// Output:
	// workspace: runway/main: start: month 2026-13 is not a month
}

// SeedDemo fills a workspace with the fictional demo company.
func ExampleSeedDemo() {
	dir, _ := os.MkdirTemp("", "kaiwu")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	ws, _ := workspace.Open(ctx, filepath.Join(dir, "workspace.db"))
	defer ws.Close()
	if err := workspace.SeedDemo(ctx, ws, "demo"); err != nil {
		fmt.Println(err)
		return
	}
	docs, _ := ws.List(ctx, "")
	for _, d := range docs {
		fmt.Println(d.Kind, d.Name, d.Version)
	}
	// Output:
	// channels main 1
	// company main 1
	// compute main 1
	// offers main 1
	// profile main 1
	// runway main 1
	// valuation main 1
}
