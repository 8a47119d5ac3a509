package workspace

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/compute/train"
	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/channel"
	"github.com/kaiwu-ai/kaiwu/finance/round"
	"github.com/kaiwu-ai/kaiwu/finance/runway"
	"github.com/kaiwu-ai/kaiwu/finance/termsheet"
	"github.com/kaiwu-ai/kaiwu/finance/valuation"
)

// TestDemoDocumentsComputeEverything checks that every demo document is
// valid for its kind and that what each dashboard page computes from it
// runs without error and tells the intended story.
func TestDemoDocumentsComputeEverything(t *testing.T) {
	docs := DemoDocuments()
	if len(docs) != len(Kinds()) {
		t.Fatalf("%d demo documents, want one per kind (%d)", len(docs), len(Kinds()))
	}
	for _, d := range docs {
		if err := Validate(d.Kind, d.Name, d.Body); err != nil {
			t.Errorf("demo %s: %v", d.Kind, err)
		}
		if !strings.Contains(d.Body, "DEMO DATA") {
			t.Errorf("demo %s is not marked as demo data", d.Kind)
		}
	}
	prof, err := ParseProfile([]byte(demoBody(t, KindProfile)))
	if err != nil || !prof.Demo || !strings.Contains(prof.Name, "(demo)") || prof.Currency != "CNY" {
		t.Fatalf("profile: %+v, %v", prof, err)
	}

	c, err := captable.Parse([]byte(demoBody(t, KindCompany)), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compute(captable.Options{AsOf: captable.NewDate(2026, 1, 1)}); err != nil {
		t.Fatalf("cap table: %v", err)
	}
	if _, err := round.DocumentScenario(c, "plan"); err != nil {
		t.Fatalf("cap table scenario: %v", err)
	}

	v, err := valuation.Parse([]byte(demoBody(t, KindValuation)), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := valuation.FootballField(v); err != nil {
		t.Fatalf("football field: %v", err)
	}
	if string(v.Currency) != string(c.Currency) {
		t.Errorf("valuation in %s, cap table in %s", v.Currency, c.Currency)
	}

	o, err := termsheet.ParseOffers([]byte(demoBody(t, KindOffers)), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := termsheet.CompareOffers(o, nil); err != nil {
		t.Fatalf("offers: %v", err)
	}

	p, err := ParseRunwayPlan([]byte(demoBody(t, KindRunway)))
	if err != nil {
		t.Fatal(err)
	}
	if p.Currency != prof.Currency {
		t.Errorf("runway in %s, profile in %s", p.Currency, prof.Currency)
	}
	for _, sc := range []string{"base", "bull", "bear"} {
		r, err := runway.Project(p, runway.Options{Scenario: sc})
		if err != nil {
			t.Fatalf("runway %s: %v", sc, err)
		}
		if sc == "base" && (r.Fundraising.CloseBy == nil || r.Runway.OutOfCash == nil) {
			t.Errorf("the demo should need its Series A: %+v", r.Fundraising)
		}
	}

	if _, err := channel.Load([]byte(demoBody(t, KindChannels))); err != nil {
		t.Fatalf("channels: %v", err)
	}

	cp, err := ParseComputePlan([]byte(demoBody(t, KindCompute)))
	if err != nil {
		t.Fatal(err)
	}
	tin, ok, err := cp.TrainingInput()
	if err != nil || !ok {
		t.Fatalf("training input: %v", err)
	}
	tp, err := train.New(tin)
	if err != nil {
		t.Fatal(err)
	}
	// The runway's training line is this run's GPU-hours at this price.
	if !strings.Contains(demoBody(t, KindRunway), "gpu_hours: "+decimal.NewFromFloat(tp.GPUHours).Round(0).String()) {
		t.Errorf("runway training line does not carry the compute plan's %.0f GPU-hours", tp.GPUHours)
	}
	sin, ok, err := cp.ServingInput()
	if err != nil || !ok {
		t.Fatalf("serving input: %v", err)
	}
	if _, err := serve.Analyze(sin); err != nil {
		t.Fatal(err)
	}
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	s := openTest(t, t.TempDir()+"/w.db")
	ctx := context.Background()
	if err := SeedDemo(ctx, s, "demo"); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Get(ctx, KindProfile, DemoName)
	edited := p.Body + "# my edit\n"
	if _, err := s.Put(ctx, KindProfile, DemoName, edited, p.Version, "me"); err != nil {
		t.Fatal(err)
	}
	if err := SeedDemo(ctx, s, "demo"); err != nil {
		t.Fatal(err)
	}
	docs, _ := s.List(ctx, "")
	if len(docs) != len(DemoDocuments()) {
		t.Fatalf("%d documents after seeding twice", len(docs))
	}
	if p, _ := s.Get(ctx, KindProfile, DemoName); p.Body != edited {
		t.Fatal("seeding again overwrote an edit")
	}
	checkConsistent(t, s)
}
