package workspace

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
)

// The demo workspace: 衡星智能 Hengxing AI, a fictional Chinese
// large-model startup raising its Series A, marked as demo data in its
// profile (Demo: true, "(demo)" in its names) and in a comment atop every
// document. See docs/formats/workspace.md for the story the documents
// tell together.
//
//go:embed demo/*.yaml
var demoFiles embed.FS

// DemoName is the name of every demo document.
const DemoName = "main"

// demoKinds are the demo documents, in the order SeedDemo writes them.
var demoKinds = []Kind{KindProfile, KindCompany, KindValuation, KindOffers, KindRunway, KindChannels, KindCompute}

// DemoDocument is one document of the demo workspace.
type DemoDocument struct {
	Kind Kind
	Name string
	Body string
}

// DemoDocuments returns the demo workspace's documents: profile, company
// (cap table, USD: the offshore holding company), valuation and offers
// (USD), runway plan (CNY: the operating company), channel overrides and
// compute plan (CNY).
func DemoDocuments() []DemoDocument {
	out := make([]DemoDocument, 0, len(demoKinds))
	for _, k := range demoKinds {
		b, err := demoFiles.ReadFile("demo/" + string(k) + ".yaml")
		if err != nil {
			panic(err) // the files are embedded: a missing one is a build mistake
		}
		out = append(out, DemoDocument{Kind: k, Name: DemoName, Body: string(b)})
	}
	return out
}

// SeedDemo writes the demo documents into st as actor, each as a new
// document. A document that already exists is left alone, so seeding
// twice (kaiwu serve --demo on every start) changes nothing and never
// overwrites the user's edits.
func SeedDemo(ctx context.Context, st Store, actor string) error {
	for _, d := range DemoDocuments() {
		_, err := st.Put(ctx, d.Kind, d.Name, d.Body, 0, actor)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("seeding the demo workspace: %w", err)
		}
	}
	return SeedDemoRun(ctx, st, actor)
}

// SeedDemoRun gives a workspace without training runs one finished run
// to look at: it trains the tabular recipe (20 epochs, 1,000 steps, of
// the built-in housing CSV: a real run of about 0.05 s) through a
// lifecycle.Manager and stores it with its curve and metrics. A workspace
// that has runs is left alone.
func SeedDemoRun(ctx context.Context, st Store, actor string) error {
	rs, err := st.Runs(ctx, 1)
	if err != nil || len(rs) > 0 {
		return err
	}
	m := lifecycle.NewManager(st, lifecycle.Options{})
	defer m.Close()
	r, err := m.Start(ctx, lifecycle.Config{Recipe: "tabular", Epochs: 20}, actor)
	if err != nil {
		return fmt.Errorf("seeding the demo run: %w", err)
	}
	if err := m.Wait(ctx, r.ID); err != nil {
		return fmt.Errorf("seeding the demo run: %w", err)
	}
	if r, err = st.Run(ctx, r.ID); err != nil {
		return fmt.Errorf("seeding the demo run: %w", err)
	}
	if r.Status != lifecycle.StatusSucceeded {
		return fmt.Errorf("seeding the demo run: the tabular run %s: %s", r.Status, r.Error)
	}
	return nil
}
