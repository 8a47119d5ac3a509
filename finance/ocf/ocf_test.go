package ocf

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// testdata/acme is a small package written by hand after the OCF 1.2.0
// schema (schema/objects, schema/types) and the coalition's samples/
// (Stakeholders, StockClasses, StockPlans, VestingTerms "4yr-1yr-cliff-
// schedule", Transactions): common and Series Seed preferred, a stock plan
// with an ISO grant on four-year/one-year-cliff vesting and a partial
// exercise, a post-money SAFE with cap and discount, a convertible note,
// and a warrant kaiwu does not model.

func loadAcme(t testing.TB) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	entries, err := os.ReadDir("testdata/acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata/acme", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func date(s string) captable.Date {
	x, err := captable.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

func TestImportSample(t *testing.T) {
	c, warns, err := Import(loadAcme(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Acme AI, Inc." || c.Currency != money.USD {
		t.Errorf("company %q in %s", c.Name, c.Currency)
	}
	kinds := map[string]captable.StakeholderKind{"sh-ada": captable.Founder, "sh-bo": captable.Employee, "sh-seedfund": captable.Investor, "sh-angel": captable.Investor}
	if len(c.Stakeholders) != 4 {
		t.Fatalf("%d stakeholders", len(c.Stakeholders))
	}
	for _, s := range c.Stakeholders {
		if kinds[s.ID] != s.Kind {
			t.Errorf("%s: kind %s", s.ID, s.Kind)
		}
		if s.ProRata != (s.ID == "sh-seedfund") {
			t.Errorf("%s: pro rata %v", s.ID, s.ProRata)
		}
	}
	seed := c.Class("series-seed")
	if seed == nil || seed.Kind != captable.Preferred || !seed.OriginalIssuePrice.Equal(d("1.25")) ||
		!seed.LiquidationMultiple.Equal(d("1")) || seed.Participating || seed.Seniority != 1 || !seed.ConversionRatio.Equal(d("1")) {
		t.Errorf("series seed %+v", seed)
	}
	if cm := c.Class("common"); cm == nil || cm.Kind != captable.Common || !cm.OriginalIssuePrice.Equal(d("0.0001")) || cm.Seniority != 0 {
		t.Errorf("common %+v", cm)
	}
	// CS-2 is the stock from OPT-1's exercise: counted in the grant.
	if len(c.Issuances) != 2 || c.Issuances[0].ID != "CS-1" || c.Issuances[1].ID != "PS-1" ||
		!c.Issuances[1].Shares.Equal(d("1600000")) || c.Issuances[1].Date.String() != "2024-03-15" {
		t.Errorf("issuances %+v", c.Issuances)
	}
	p := c.OptionPlan
	if p == nil || p.Name != "2023 Equity Incentive Plan" || p.Class != "common" || !p.PoolSize.Equal(d("1000000")) || len(p.Grants) != 1 {
		t.Fatalf("plan %+v", p)
	}
	g := p.Grants[0]
	if g.ID != "OPT-1" || g.Stakeholder != "sh-bo" || !g.Shares.Equal(d("200000")) || !g.ExercisePrice.Equal(d("0.1")) ||
		!g.Exercised.Equal(d("50000")) || g.VestingMonths != 48 || g.CliffMonths != 12 || g.VestingStart.String() != "2023-05-01" {
		t.Errorf("grant %+v", g)
	}
	if len(c.Convertibles) != 2 {
		t.Fatalf("convertibles %+v", c.Convertibles)
	}
	safe, note := c.Convertibles[0], c.Convertibles[1]
	if safe.ID != "SAFE-1" || safe.Type != captable.SAFEPost || !safe.Amount.Equal(d("500000")) || !safe.Cap.Equal(d("10000000")) ||
		!safe.Discount.Equal(d("0.2")) || safe.MFN || !safe.ProRata || safe.Date.String() != "2024-09-01" {
		t.Errorf("SAFE %+v", safe)
	}
	if note.ID != "CN-1" || note.Type != captable.Note || !note.InterestRate.Equal(d("0.08")) || note.Compounding != captable.Simple ||
		note.DayCount != captable.Actual365 || note.Maturity.String() != "2026-01-01" || !note.Discount.Equal(d("0.15")) || !note.Cap.Equal(d("8000000")) {
		t.Errorf("note %+v", note)
	}
	var sawWarrant bool
	for _, w := range warns {
		if w.ObjectType == "TX_WARRANT_ISSUANCE" && w.ID == "tx-w-1" && w.File == "Transactions.ocf.json" {
			sawWarrant = true
		}
		if strings.Contains(w.Msg, "md5") {
			t.Errorf("unexpected md5 warning: %s", w)
		}
	}
	if !sawWarrant {
		t.Errorf("no warning for the warrant; warnings: %v", warns)
	}
	// The imported company computes a cap table.
	if _, err := c.Compute(captable.Options{}); err != nil {
		t.Errorf("Compute: %v", err)
	}
}

// zipOf zips fsys's files under prefix.
func zipOf(t testing.TB, fsys fstest.MapFS, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, f := range fsys {
		w, err := zw.Create(prefix + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportZip(t *testing.T) {
	want, _, err := Import(loadAcme(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"", "acme-export/"} {
		b := zipOf(t, loadAcme(t), prefix)
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := Import(zr)
		if err != nil {
			t.Fatalf("prefix %q: %v", prefix, err)
		}
		if js(t, got) != js(t, want) {
			t.Errorf("prefix %q: zip import differs from folder import", prefix)
		}
	}
}

func js(t testing.TB, c *captable.Company) string {
	t.Helper()
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// packageFS is an encoded package as an fs.FS.
func packageFS(p *Package) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, f := range p.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	return fsys
}

// fullCompany uses every field OCF carries.
func fullCompany() *captable.Company {
	return &captable.Company{
		Name:     "深度求索 Labs",
		Currency: money.CNY,
		Stakeholders: []captable.Stakeholder{
			{ID: "founder-a", Name: "张三", Kind: captable.Founder},
			{ID: "founder-b", Name: "Li Si", Kind: captable.Founder},
			{ID: "emp-1", Name: "Wang Wu", Kind: captable.Employee},
			{ID: "adv-1", Name: "Zhao Liu", Kind: captable.Advisor},
			{ID: "fund-a", Name: "Fund A", Kind: captable.Investor, ProRata: true},
			{ID: "angel", Name: "Angel", Kind: captable.Investor},
			{ID: "misc", Name: "Misc", Kind: captable.Other},
		},
		ShareClasses: []captable.ShareClass{
			{ID: "common", Name: "普通股", Kind: captable.Common, ConversionRatio: d("1")},
			{ID: "seed", Name: "Seed", Kind: captable.Preferred, OriginalIssuePrice: d("0.85"), LiquidationMultiple: d("1"), Seniority: 1, ConversionRatio: d("1")},
			{ID: "a", Name: "Series A", Kind: captable.Preferred, OriginalIssuePrice: d("2.5"), LiquidationMultiple: d("1.5"),
				Participating: true, ParticipationCap: d("3"), Seniority: 2, ConversionRatio: d("1.25")},
			{ID: "b", Name: "Series B", Kind: captable.Preferred, OriginalIssuePrice: d("4"), LiquidationMultiple: d("1"),
				Participating: true, Seniority: 2, ConversionRatio: d("1")},
		},
		Issuances: []captable.Issuance{
			{ID: "i1", Stakeholder: "founder-a", Class: "common", Shares: d("5000000"), PricePerShare: d("0.0001"), Date: date("2022-03-01")},
			{ID: "i2", Stakeholder: "founder-b", Class: "common", Shares: d("3000000"), PricePerShare: d("0.0001"), Date: date("2022-03-01")},
			{ID: "i3", Stakeholder: "fund-a", Class: "seed", Shares: d("1000000"), PricePerShare: d("0.85"), Date: date("2023-01-05")},
			{ID: "i4", Stakeholder: "fund-a", Class: "a", Shares: d("800000"), PricePerShare: d("2.5"), Date: date("2024-02-01")},
			{ID: "i5", Stakeholder: "angel", Class: "b", Shares: d("100000.5"), PricePerShare: d("4"), Date: date("2024-08-01")},
		},
		OptionPlan: &captable.OptionPlan{Name: "ESOP 2022", Class: "common", PoolSize: d("1500000"), Grants: []captable.Grant{
			{ID: "g1", Stakeholder: "emp-1", Shares: d("100000"), ExercisePrice: d("0.2"), VestingStart: date("2022-06-30"), VestingMonths: 48, CliffMonths: 12, Exercised: d("25000")},
			{ID: "g2", Stakeholder: "adv-1", Shares: d("20000"), ExercisePrice: d("0.2"), VestingStart: date("2022-07-01"), VestingMonths: 24},
			{ID: "g3", Stakeholder: "emp-1", Shares: d("5000"), ExercisePrice: d("0.5"), VestingStart: date("2023-01-31"), VestingMonths: 12, CliffMonths: 12},
			{ID: "g4", Stakeholder: "misc", Shares: d("1000"), ExercisePrice: d("0")},
		}},
		Convertibles: []captable.Convertible{
			{ID: "safe-post", Stakeholder: "angel", Type: captable.SAFEPost, Amount: d("1000000"), Cap: d("20000000"), Discount: d("0.2"), ProRata: true, Date: date("2024-03-01")},
			{ID: "safe-pre", Stakeholder: "angel", Type: captable.SAFEPre, Amount: d("200000"), Cap: d("8000000"), Date: date("2023-06-01")},
			{ID: "safe-mfn", Stakeholder: "misc", Type: captable.SAFEPost, Amount: d("50000"), MFN: true, Date: date("2024-04-01")},
			{ID: "note-1", Stakeholder: "fund-a", Type: captable.Note, Amount: d("300000"), Cap: d("6000000"), Discount: d("0.1"), Date: date("2023-02-01"),
				InterestRate: d("0.06"), Compounding: captable.Simple, DayCount: captable.Actual365, Maturity: date("2025-02-01")},
			{ID: "note-2", Stakeholder: "fund-a", Type: captable.Note, Amount: d("150000"), Date: date("2023-03-15"),
				InterestRate: d("0.08"), Compounding: captable.Annual, DayCount: captable.Thirty360},
		},
	}
}

// company → OCF → company gives back the company, for every field OCF
// carries.
func TestRoundTripCompany(t *testing.T) {
	c := fullCompany()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	p, warns, err := Encode(c, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("export warnings: %v", warns)
	}
	back, iw, err := Import(packageFS(p))
	if err != nil {
		t.Fatal(err)
	}
	if len(iw) != 0 {
		t.Errorf("import warnings: %v", iw)
	}
	if got, want := js(t, back), js(t, c); got != want {
		t.Errorf("round trip differs:\n got %s\nwant %s", got, want)
	}
}

// OCF sample → kaiwu → OCF keeps the objects kaiwu models, and → kaiwu
// again gives the same company.
func TestRoundTripSample(t *testing.T) {
	c, _, err := Import(loadAcme(t))
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := Encode(c, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range p.Files {
		all.Write(f.Data)
	}
	for _, id := range []string{`"sh-ada"`, `"sh-bo"`, `"sh-seedfund"`, `"sh-angel"`, `"common"`, `"series-seed"`,
		`"security_id": "CS-1"`, `"security_id": "PS-1"`, `"security_id": "OPT-1"`, `"security_id": "SAFE-1"`, `"security_id": "CN-1"`,
		`"TX_EQUITY_COMPENSATION_EXERCISE"`, `"TX_VESTING_START"`, `"SAFE_CONVERSION"`, `"CONVERTIBLE_NOTE_CONVERSION"`, `"2023 Equity Incentive Plan"`} {
		if !strings.Contains(all.String(), id) {
			t.Errorf("exported package lacks %s", id)
		}
	}
	back, _, err := Import(packageFS(p))
	if err != nil {
		t.Fatal(err)
	}
	if js(t, back) != js(t, c) {
		t.Errorf("sample → kaiwu → OCF → kaiwu differs:\n%s\n%s", js(t, back), js(t, c))
	}
}

func TestExportDeterministic(t *testing.T) {
	var prev []byte
	for i := 0; i < 3; i++ {
		p, _, err := Encode(fullCompany(), ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := p.WriteZip(&buf); err != nil {
			t.Fatal(err)
		}
		if prev != nil && !bytes.Equal(prev, buf.Bytes()) {
			t.Fatal("two exports of the same company differ")
		}
		prev = buf.Bytes()
	}
	p, _, _ := Encode(fullCompany(), ExportOptions{})
	var m manifest
	for _, f := range p.Files {
		if f.Name == ManifestName {
			if err := json.Unmarshal(f.Data, &m); err != nil {
				t.Fatal(err)
			}
		}
	}
	if m.OCFVersion != Version || m.AsOf != "2024-08-01" || m.Issuer.CountryOfFormation != "CN" || m.Issuer.FormationDate != "2022-03-01" ||
		len(m.StakeholdersFiles) != 1 || len(m.StockLegendTemplatesFiles) != 0 || m.StockLegendTemplatesFiles == nil {
		t.Errorf("manifest %+v", m)
	}
}

func TestExportWarnings(t *testing.T) {
	c := fullCompany()
	c.Issuances[0].Date = captable.Date{}
	c.Scenarios = []captable.Scenario{{Name: "seed"}}
	_, warns, err := Encode(c, ExportOptions{AsOf: date("2025-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range warns {
		got = append(got, w.String())
	}
	s := strings.Join(got, "\n")
	if !strings.Contains(s, "issuances[0].date") || !strings.Contains(s, "2025-01-01") || !strings.Contains(s, "scenarios") {
		t.Errorf("warnings:\n%s", s)
	}
	c.Issuances[0].Shares = d("1.00000000001")
	if _, _, err := Encode(c, ExportOptions{}); err == nil || !strings.Contains(err.Error(), "10 decimals") {
		t.Errorf("11 decimals: %v", err)
	}
}

func TestExportAtomic(t *testing.T) {
	dir := t.TempDir()
	c := fullCompany()
	for _, target := range []string{filepath.Join(dir, "out"), filepath.Join(dir, "out.ocf.zip")} {
		for i := 0; i < 2; i++ { // the second export replaces the first
			if _, err := Export(c, target, ExportOptions{}); err != nil {
				t.Fatalf("%s: %v", target, err)
			}
		}
	}
	back, _, err := Import(os.DirFS(filepath.Join(dir, "out")))
	if err != nil || js(t, back) != js(t, c) {
		t.Fatalf("folder: %v", err)
	}
	zr, err := zip.OpenReader(filepath.Join(dir, "out.ocf.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if back, _, err := Import(zr); err != nil || js(t, back) != js(t, c) {
		t.Fatalf("zip: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %v", names)
	}
	other := filepath.Join(dir, "notes")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "letter.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Export(c, other, ExportOptions{}); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("export over a non-OCF folder: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "letter.txt")); string(b) != "x" {
		t.Error("the non-OCF folder was touched")
	}
}

// mutate returns the acme package with old replaced by new in file.
func mutate(t testing.TB, file, old, new string) fstest.MapFS {
	t.Helper()
	fsys := loadAcme(t)
	s := string(fsys[file].Data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s has no %q", file, old)
	}
	fsys[file] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
	return fsys
}

func TestImportErrors(t *testing.T) {
	const tx, cls, sh, mf = "Transactions.ocf.json", "StockClasses.ocf.json", "Stakeholders.ocf.json", "Manifest.ocf.json"
	for _, tc := range []struct {
		name string
		fsys func(t testing.TB) fstest.MapFS
		want []string // all must appear in the error
	}{
		{"missing manifest", func(t testing.TB) fstest.MapFS { f := loadAcme(t); delete(f, mf); return f },
			[]string{"Manifest.ocf.json", "not found"}},
		{"manifest file_type", func(t testing.TB) fstest.MapFS {
			return mutate(t, mf, `"file_type": "OCF_MANIFEST_FILE"`, `"file_type": "OCF_STAKEHOLDERS_FILE"`)
		}, []string{"Manifest.ocf.json", "file_type"}},
		{"unknown file_type", func(t testing.TB) fstest.MapFS {
			return mutate(t, sh, `"OCF_STAKEHOLDERS_FILE"`, `"OCF_PEOPLE_FILE"`)
		}, []string{"Stakeholders.ocf.json", "file_type", `"OCF_PEOPLE_FILE" is not an OCF file type`}},
		{"file listed as the wrong type", func(t testing.TB) fstest.MapFS {
			return mutate(t, sh, `"OCF_STAKEHOLDERS_FILE"`, `"OCF_VALUATIONS_FILE"`)
		}, []string{"Stakeholders.ocf.json", "file_type", "OCF_STAKEHOLDERS_FILE"}},
		{"unknown stakeholder", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"stakeholder_id": "sh-angel"`, `"stakeholder_id": "sh-nobody"`)
		}, []string{tx, `object "tx-safe-1" (TX_CONVERTIBLE_ISSUANCE)`, `stakeholder_id: "sh-nobody" is not a stakeholder`}},
		{"unknown class", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"stock_class_id": "series-seed"`, `"stock_class_id": "pref-b"`)
		}, []string{`Transactions.ocf.json: object "tx-ps-1" (TX_STOCK_ISSUANCE): stock_class_id: "pref-b" is not a stock class`}},
		{"plan class", func(t testing.TB) fstest.MapFS {
			return mutate(t, "StockPlans.ocf.json", `"stock_class_ids": ["common"]`, `"stock_class_ids": ["nope"]`)
		}, []string{"StockPlans.ocf.json", `"plan-2023"`, "stock_class_ids[0]", `"nope"`}},
		{"bad numeric string", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"quantity": "1600000"`, `"quantity": "1,600,000"`)
		}, []string{tx, `"tx-ps-1"`, "quantity", "not an OCF Numeric"}},
		{"too many decimals", func(t testing.TB) fstest.MapFS {
			return mutate(t, cls, `"amount": "1.25", "currency": "USD" },
      "seniority"`, `"amount": "1.25000000001", "currency": "USD" },
      "seniority"`)
		}, []string{cls, `"series-seed"`, "price_per_share.amount"}},
		{"number instead of string", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"quantity": "1600000"`, `"quantity": 1600000`)
		}, []string{tx, `"tx-ps-1"`, "quantity", "got a JSON number, want a string"}},
		{"bad date", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"date": "2024-03-15"`, `"date": "2024-13-15"`)
		}, []string{tx, `"tx-ps-1"`, "date", `"2024-13-15" is not a date`}},
		{"bad date in a mechanism", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"accrual_start_date": "2024-01-01" }],
              "day_count_convention": "ACTUAL_365",
              "interest_payout": "DEFERRED",
              "interest_accrual_period": "DAILY",
              "compounding_type": "SIMPLE",
              "conversion_discount"`, `"accrual_start_date": "01/01/2024" }],
              "day_count_convention": "ACTUAL_365",
              "interest_payout": "DEFERRED",
              "interest_accrual_period": "DAILY",
              "compounding_type": "SIMPLE",
              "conversion_discount"`)
		}, []string{tx, `"tx-note-1"`, "conversion_triggers[0].conversion_right.conversion_mechanism.interest_rates[0].accrual_start_date"}},
		{"duplicate id", func(t testing.TB) fstest.MapFS {
			return mutate(t, sh, `"id": "sh-bo"`, `"id": "sh-ada"`)
		}, []string{sh, `object "sh-ada" (STAKEHOLDER)`, "id: duplicate id"}},
		{"duplicate id across files", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"id": "tx-ps-1"`, `"id": "common"`)
		}, []string{tx, `"common"`, "duplicate id", cls}},
		{"duplicate security_id", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"security_id": "PS-1"`, `"security_id": "CS-1"`)
		}, []string{tx, `"tx-ps-1"`, "security_id", `"CS-1" is already issued`}},
		{"currency code", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"share_price": { "amount": "1.25", "currency": "USD" }`, `"share_price": { "amount": "1.25", "currency": "usd" }`)
		}, []string{tx, `"tx-ps-1"`, "share_price.currency", "ISO 4217"}},
		{"second currency", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"investment_amount": { "amount": "500000", "currency": "USD" }`, `"investment_amount": { "amount": "500000", "currency": "EUR" }`)
		}, []string{tx, `"tx-safe-1"`, "investment_amount.currency", "EUR differs from the package currency USD"}},
		{"enum", func(t testing.TB) fstest.MapFS {
			return mutate(t, cls, `"class_type": "PREFERRED"`, `"class_type": "ORDINARY"`)
		}, []string{cls, `"series-seed"`, "class_type", `"ORDINARY" is not one of COMMON, PREFERRED`}},
		{"required name", func(t testing.TB) fstest.MapFS {
			return mutate(t, sh, `"name": { "legal_name": "Bo Chen" },`, ``)
		}, []string{sh, `"sh-bo"`, "name.legal_name: required"}},
		{"percentage", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"conversion_discount": "0.2"`, `"conversion_discount": "20"`)
		}, []string{tx, `"tx-safe-1"`, "conversion_triggers[0].conversion_right.conversion_mechanism.conversion_discount", "Percentage"}},
		{"SAFE timing", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"conversion_timing": "POST_MONEY"`, `"conversion_timing": "LATER"`)
		}, []string{tx, `"tx-safe-1"`, "conversion_timing", "PRE_MONEY, POST_MONEY"}},
		{"path outside the package", func(t testing.TB) fstest.MapFS {
			return mutate(t, mf, `"./StockPlans.ocf.json"`, `"../StockPlans.ocf.json"`)
		}, []string{mf, "stock_plans_files[0].filepath", "outside the package"}},
		{"listed file missing", func(t testing.TB) fstest.MapFS { f := loadAcme(t); delete(f, "VestingTerms.ocf.json"); return f },
			[]string{"VestingTerms.ocf.json", "cannot open"}},
		{"vesting terms reference", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"vesting_terms_id": "4yr-1yr-cliff-schedule"`, `"vesting_terms_id": "5yr"`)
		}, []string{tx, `"tx-opt-1"`, "vesting_terms_id", `"5yr" is not a vesting terms id`}},
		{"vesting condition reference", func(t testing.TB) fstest.MapFS {
			return mutate(t, "VestingTerms.ocf.json", `"next_condition_ids": ["monthly-thereafter"]`, `"next_condition_ids": ["nope"]`)
		}, []string{"VestingTerms.ocf.json", `"4yr-1yr-cliff-schedule"`, "vesting_conditions[1].next_condition_ids[0]"}},
		{"exercise beyond grant", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"quantity": "50000",
      "resulting_security_ids"`, `"quantity": "250000",
      "resulting_security_ids"`)
		}, []string{tx, `"tx-opt-1-exercise"`, "quantity", "more than the 200000 granted"}},
		{"event on unknown security", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"security_id": "OPT-1",
      "vesting_condition_id"`, `"security_id": "OPT-9",
      "vesting_condition_id"`)
		}, []string{tx, `"tx-opt-1-vesting-start"`, "security_id", `"OPT-9" is not a security`}},
		{"kaiwu check mapped to the object", func(t testing.TB) fstest.MapFS {
			return mutate(t, tx, `"conversion_mfn": false`, `"conversion_mfn": true`)
		}, []string{tx, `"tx-safe-1"`, "kaiwu check", "mfn"}},
		{"not JSON", func(t testing.TB) fstest.MapFS {
			f := loadAcme(t)
			f[tx] = &fstest.MapFile{Data: []byte(`{"file_type": "OCF_TRANSACTIONS_FILE", "items": [`)}
			return f
		}, []string{tx, "JSON"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Import(tc.fsys(t))
			if err == nil {
				t.Fatal("no error")
			}
			var oe *Error
			if !errors.As(err, &oe) {
				t.Errorf("error %T is not an *ocf.Error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// A zip bomb: a small archive that inflates past the limit is refused,
// naming the file, without inflating it all.
func TestImportOversized(t *testing.T) {
	fsys := loadAcme(t)
	big := bytes.Repeat([]byte(" "), int(DefaultLimits.MaxFileBytes)+1024)
	copy(big, `{"file_type": "OCF_TRANSACTIONS_FILE", "items": []}`)
	fsys["Transactions.ocf.json"] = &fstest.MapFile{Data: big}
	b := zipOf(t, fsys, "")
	if len(b) > 1<<20 {
		t.Fatalf("bomb is %d bytes compressed", len(b))
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _, err = Import(zr)
	if err == nil || !strings.Contains(err.Error(), "Transactions.ocf.json") || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("oversized file: %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %v", time.Since(start))
	}

	// Total size and file count limits.
	_, _, err = ImportLimits(loadAcme(t), Limits{MaxFiles: 100, MaxFileBytes: 1 << 20, MaxTotalBytes: 4096})
	if err == nil || !strings.Contains(err.Error(), "in all") {
		t.Errorf("total limit: %v", err)
	}
	_, _, err = ImportLimits(loadAcme(t), Limits{MaxFiles: 3, MaxFileBytes: 1 << 20, MaxTotalBytes: 1 << 30})
	if err == nil || !strings.Contains(err.Error(), "more than 3 files") {
		t.Errorf("file count limit: %v", err)
	}
}

func TestImportWarnings(t *testing.T) {
	fsys := mutate(t, "VestingTerms.ocf.json", `"allocation_type": "CUMULATIVE_ROUND_DOWN"`, `"allocation_type": "CUMULATIVE_ROUNDING"`)
	fsys["Manifest.ocf.json"] = &fstest.MapFile{Data: []byte(strings.Replace(string(fsys["Manifest.ocf.json"].Data),
		`"valuations_files": []`, `"valuations_files": [{"filepath": "./Valuations.ocf.json", "md5": "x"}], "vesting_schedules_files": []`, 1))}
	_, warns, err := Import(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, w := range warns {
		all = append(all, w.String())
	}
	s := strings.Join(all, "\n")
	for _, want := range []string{
		`VestingTerms.ocf.json: object "4yr-1yr-cliff-schedule" (VESTING_TERMS): allocation_type: CUMULATIVE_ROUNDING approximated`,
		"valuations_files[0].filepath: Valuations.ocf.json not imported",
		"vesting_schedules_files",
		"md5",
		`object "tx-w-1" (TX_WARRANT_ISSUANCE)`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("warnings lack %q:\n%s", want, s)
		}
	}
}

func TestVestingRecognition(t *testing.T) {
	start := `{"id": "s", "quantity": "0", "trigger": {"type": "VESTING_START_DATE"}, "next_condition_ids": [%s]}`
	rel := func(id, prev, num, den string, length, occ int, extra string) string {
		return `{"id": "` + id + `", "portion": {"numerator": "` + num + `", "denominator": "` + den + `"}, "trigger": {"type": "VESTING_SCHEDULE_RELATIVE", "relative_to_condition_id": "` + prev +
			`", "period": {"length": ` + itoa(length) + `, "type": "MONTHS", "occurrences": ` + itoa(occ) + `, "day_of_month": "VESTING_START_DAY_OR_LAST_DAY_OF_MONTH"` + extra + `}}, "next_condition_ids": []}`
	}
	for _, tc := range []struct {
		name          string
		conds         string
		months, cliff int
		ok            bool
	}{
		{"4y/1y chain", sprintf(start, `"c"`) + `,` + strings.Replace(rel("c", "s", "12", "48", 12, 1, ""), `"next_condition_ids": []`, `"next_condition_ids": ["m"]`, 1) + `,` + rel("m", "c", "1", "48", 1, 36, ""), 48, 12, true},
		{"monthly, no cliff", sprintf(start, `"m"`) + `,` + rel("m", "s", "1", "24", 1, 24, ""), 24, 0, true},
		{"cliff_installment", sprintf(start, `"m"`) + `,` + rel("m", "s", "1", "48", 1, 48, `, "cliff_installment": 12`), 48, 12, true},
		{"single tranche", sprintf(start, `"m"`) + `,` + rel("m", "s", "1", "1", 12, 1, ""), 12, 12, true},
		{"quarterly", sprintf(start, `"m"`) + `,` + rel("m", "s", "1", "16", 3, 16, ""), 0, 0, false},
		{"portions do not add up", sprintf(start, `"m"`) + `,` + rel("m", "s", "1", "48", 1, 24, ""), 0, 0, false},
		{"event", sprintf(start, `"e"`) + `,{"id": "e", "portion": {"numerator": "1", "denominator": "1"}, "trigger": {"type": "VESTING_EVENT"}, "next_condition_ids": []}`, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := `{"object_type": "VESTING_TERMS", "id": "v", "name": "v", "description": "", "allocation_type": "CUMULATIVE_ROUND_DOWN", "vesting_conditions": [` + tc.conds + `]}`
			var v vestingTerms
			if err := json.Unmarshal([]byte(raw), &v); err != nil {
				t.Fatal(err)
			}
			im := &importer{}
			r, err := im.decodeVesting(origin{file: "V.json", id: "v", typ: "VESTING_TERMS"}, &v)
			if err != nil {
				t.Fatal(err)
			}
			if r.ok != tc.ok || r.months != tc.months || r.cliff != tc.cliff {
				t.Errorf("got %+v, want months %d cliff %d ok %v (warnings %v)", r, tc.months, tc.cliff, tc.ok, im.warnings)
			}
			if !tc.ok && len(im.warnings) == 0 {
				t.Error("no warning for unsupported terms")
			}
		})
	}
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }

func sprintf(format, arg string) string { return strings.Replace(format, "%s", arg, 1) }

// Cancellations, retractions, conversions and pool adjustments.
func TestImportEvents(t *testing.T) {
	events := `,
    {"object_type": "TX_STOCK_CANCELLATION", "id": "c1", "security_id": "PS-1", "date": "2024-10-01", "quantity": "100000", "reason_text": "repurchase"},
    {"object_type": "TX_EQUITY_COMPENSATION_CANCELLATION", "id": "c2", "security_id": "OPT-1", "date": "2024-10-01", "quantity": "50000", "reason_text": "left"},
    {"object_type": "TX_CONVERTIBLE_CONVERSION", "id": "c3", "security_id": "CN-1", "date": "2024-11-01", "trigger_id": "CN-1.TRIG.1", "resulting_security_ids": []},
    {"object_type": "TX_STOCK_PLAN_POOL_ADJUSTMENT", "id": "c4", "stock_plan_id": "plan-2023", "date": "2024-12-01", "shares_reserved": "1200000"}
  ]
}`
	fsys := loadAcme(t)
	s := string(fsys["Transactions.ocf.json"].Data)
	s = strings.TrimRight(s, "\n ]}") + "\n    }" + events
	fsys["Transactions.ocf.json"] = &fstest.MapFile{Data: []byte(s)}
	c, _, err := Import(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Issuances[1].Shares.Equal(d("1500000")) {
		t.Errorf("PS-1 after cancellation: %s", c.Issuances[1].Shares)
	}
	if g := c.OptionPlan.Grants[0]; !g.Shares.Equal(d("150000")) {
		t.Errorf("OPT-1 after cancellation: %s", g.Shares)
	}
	if len(c.Convertibles) != 1 || c.Convertibles[0].ID != "SAFE-1" {
		t.Errorf("convertibles after conversion: %+v", c.Convertibles)
	}
	if !c.OptionPlan.PoolSize.Equal(d("1200000")) {
		t.Errorf("pool %s", c.OptionPlan.PoolSize)
	}
}

// FuzzImport feeds arbitrary bytes as the transactions file: Import must
// never panic, and every failure must be an *Error.
func FuzzImport(f *testing.F) {
	fsys := loadAcme(f)
	f.Add(fsys["Transactions.ocf.json"].Data)
	f.Add([]byte(`{"file_type": "OCF_TRANSACTIONS_FILE", "items": [{"object_type": "TX_STOCK_CANCELLATION", "id": "x", "date": "2024-01-01", "security_id": "CS-1", "quantity": "-1"}]}`))
	f.Add([]byte(`{"file_type": "OCF_TRANSACTIONS_FILE", "items": [null, 1, "x", {}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := fstest.MapFS{}
		for k, v := range fsys {
			m[k] = v
		}
		m["Transactions.ocf.json"] = &fstest.MapFile{Data: data}
		c, _, err := Import(m)
		if err != nil {
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %T %v is not an *ocf.Error", err, err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("imported company is invalid: %v", err)
		}
	})
}
