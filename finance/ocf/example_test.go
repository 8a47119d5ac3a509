package ocf_test

import (
	"fmt"
	"os"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/ocf"
)

// Import reads a package folder (or a zip: *zip.Reader is an fs.FS).
func ExampleImport() {
	c, warnings, err := ocf.Import(os.DirFS("testdata/acme"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name, c.Currency)
	fmt.Println(len(c.Stakeholders), "stakeholders,", len(c.Issuances), "issuances,", len(c.OptionPlan.Grants), "grant,", len(c.Convertibles), "convertibles")
	g := c.OptionPlan.Grants[0]
	fmt.Printf("%s: %s options, %d months, %d-month cliff, %s exercised\n", g.ID, g.Shares, g.VestingMonths, g.CliffMonths, g.Exercised)
	for _, w := range warnings {
		fmt.Println("warning:", w)
	}
	// Output:
	// Acme AI, Inc. USD
	// 4 stakeholders, 2 issuances, 1 grant, 2 convertibles
	// OPT-1: 200000 options, 48 months, 12-month cliff, 50000 exercised
	// warning: Transactions.ocf.json: object "tx-w-1" (TX_WARRANT_ISSUANCE): not imported: kaiwu does not model TX_WARRANT_ISSUANCE
}

// Encode builds the package in memory; Export writes it as a folder or an
// .ocf.zip, atomically.
func ExampleEncode() {
	c := &captable.Company{
		Name:         "Tiny Labs",
		Currency:     money.USD,
		Stakeholders: []captable.Stakeholder{{ID: "ada", Name: "Ada", Kind: captable.Founder}},
		ShareClasses: []captable.ShareClass{{ID: "common", Name: "Common", Kind: captable.Common, ConversionRatio: decimal.NewFromInt(1)}},
		Issuances: []captable.Issuance{{ID: "cs-1", Stakeholder: "ada", Class: "common",
			Shares: decimal.NewFromInt(1_000_000), Date: captable.NewDate(2025, 1, 2)}},
	}
	p, _, err := ocf.Encode(c, ocf.ExportOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range p.Files {
		fmt.Println(f.Name)
	}
	// Output:
	// Manifest.ocf.json
	// Stakeholders.ocf.json
	// StockClasses.ocf.json
	// Transactions.ocf.json
}
